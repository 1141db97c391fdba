package funnel

// Requirement is one item of a stage's checklist. A transition into the
// stage must carry evidence for every required item (Evidence[Key] not
// blank; Kind says how it is checked), except KindSignal items, which are
// met by an opportunity signal recorded on the customer (an activity's
// signals) at any time before.
type Requirement struct {
	Key      string `json:"key"`      // evidence key, e.g. "decision_maker"
	Label    string `json:"label"`    // English label
	LabelZH  string `json:"label_zh"` // Chinese label
	Kind     string `json:"kind"`     // KindText, KindBool, KindDate or KindSignal
	Optional bool   `json:"optional,omitempty"`
}

// Requirement kinds.
const (
	KindText   = "text"   // any non-blank text
	KindBool   = "bool"   // "true"
	KindDate   = "date"   // YYYY-MM-DD
	KindSignal = "signal" // an opportunity signal recorded on the customer
)

// Config is an organisation's funnel settings (stored, editable by an
// admin; DefaultConfig is the method's). Durations are whole days.
type Config struct {
	// Checklists per target stage.
	Checklists map[Stage][]Requirement `json:"checklists"`
	// QuotaStages are the stages whose claimed customers count toward a
	// manager's quota (default list through order).
	QuotaStages []Stage `json:"quota_stages"`
	// LapseDays without a qualifying activity end a claim (default 30);
	// WarnDays before that the manager is warned (default 7); a manager
	// whose claim lapsed may not reclaim that customer for CooldownDays
	// (default 14).
	LapseDays    int `json:"lapse_days"`
	WarnDays     int `json:"warn_days"`
	CooldownDays int `json:"cooldown_days"`
	// QualifyingKinds are the activity kinds that keep a claim alive
	// (default all).
	QualifyingKinds []ActivityKind `json:"qualifying_kinds"`
	// VisitMaxDistanceM: a visit logged with a position farther than this
	// from the customer is kept but unverified (default 300).
	VisitMaxDistanceM float64 `json:"visit_max_distance_m"`
	// NoContactDays: an in-network customer without contact for this long
	// is an early warning (default 90); RenewalWarnDays before a contract
	// renewal date likewise (default 60).
	NoContactDays   int `json:"no_contact_days"`
	RenewalWarnDays int `json:"renewal_warn_days"`
}
