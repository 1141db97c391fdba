package coverage

import (
	"fmt"
	"time"

	"gridplan/funnel"
	"gridplan/territory"
)

// Status is a customer's best coverage. Lower is better, so the best of
// several is their minimum.
type Status uint8

// Statuses, best first. None is "no resource reaches the customer".
const (
	Existing Status = iota
	UnderConstruction
	Planned
	None
)

// NumStatuses is the number of Status values.
const NumStatuses = 4

// Statuses lists every status, best first.
var Statuses = []Status{Existing, UnderConstruction, Planned, None}

var statusNames = [NumStatuses]string{"existing", "under_construction", "planned", "none"}

// statusLabelZH are the Chinese names the XLSX export uses.
var statusLabelZH = [NumStatuses]string{"已建覆盖", "在建覆盖", "规划覆盖", "未覆盖"}

// String is the status's API name: existing, under_construction, planned
// or none.
func (s Status) String() string {
	if int(s) < NumStatuses {
		return statusNames[s]
	}
	return fmt.Sprintf("Status(%d)", uint8(s))
}

// MarshalText writes the API name, so that Status reads well in JSON.
func (s Status) MarshalText() ([]byte, error) {
	if int(s) >= NumStatuses {
		return nil, fmt.Errorf("coverage: no such status %d", uint8(s))
	}
	return []byte(statusNames[s]), nil
}

// ParseStatus reads an API name; a bad one is a FieldError on "status".
func ParseStatus(raw string) (Status, error) {
	for i, n := range statusNames {
		if n == raw {
			return Status(i), nil
		}
	}
	return 0, territory.Invalid("status", "unknown coverage status %q (want existing, under_construction, planned or none)", raw)
}

// ResourceStatus is the resource status s stands for, "" for None: the
// vocabulary of territory.CoverageView.
func (s Status) ResourceStatus() territory.ResourceStatus {
	if s < None {
		return territory.ResourceStatuses[s]
	}
	return ""
}

// statusOf ranks a stored resource status (the three are validated).
func statusOf(st territory.ResourceStatus) Status {
	for i, x := range territory.ResourceStatuses {
		if x == st {
			return Status(i)
		}
	}
	return None
}

// Date is a calendar day as yyyymmdd (20270301): dates compare as
// integers, and a resource's expected date compares with an as-of date by
// day, whatever the clock time or time zone of either.
type Date int32

// DateOf is the calendar day of t in t's own location: the as-of date a
// caller means, and the day an expected date was written for (stores keep
// them as midnight UTC).
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date(y*10000 + int(m)*100 + d)
}

// String is the date as YYYY-MM-DD.
func (d Date) String() string {
	return fmt.Sprintf("%04d-%02d-%02d", d/10000, d/100%100, d%100)
}

// Time is midnight UTC of d.
func (d Date) Time() time.Time {
	return time.Date(int(d/10000), time.Month(d/100%100), int(d%100), 0, 0, 0, 0, time.UTC)
}

// ParseDate reads YYYY-MM-DD; a bad one is a FieldError on field.
func ParseDate(field, raw string) (Date, error) {
	t, err := time.Parse(time.DateOnly, raw)
	if err != nil {
		return 0, territory.Invalid(field, "must be a date YYYY-MM-DD, got %q", raw)
	}
	return DateOf(t), nil
}

// Effective is the status a resource counts with as of day asOf: a
// resource under construction or planned whose expected date is on or
// before asOf counts as existing (it should be in service by then), so that
// leadership sees gaps close quarter by quarter. One without an expected
// date keeps its status.
func Effective(r *territory.Resource, asOf Date) Status {
	due := Date(0)
	if r.ExpectedDate != nil {
		due = DateOf(*r.ExpectedDate)
	}
	return effective(statusOf(r.Status), due, asOf)
}

func effective(st Status, due, asOf Date) Status {
	if st != Existing && due != 0 && due <= asOf {
		return Existing
	}
	return st
}

// The dimensions of a Cube besides status.
const (
	// NumStages is funnel.Stages and one more slot, OtherStage, for a
	// stage the store holds but funnel does not know.
	NumStages = 9
	// OtherStage is the index of an unknown stage.
	OtherStage = NumStages - 1
	// NumCarriers is territory.Carriers; a carrier the store holds but
	// territory does not know counts as unknown.
	NumCarriers = 4
	// NumSizes is territory.Sizes and one more slot, 0, for no size.
	NumSizes = 5
)

// StageIndex is st's position in funnel.Stages, OtherStage when unknown.
func StageIndex(st funnel.Stage) int {
	if i := st.Index(); i >= 0 && i < OtherStage {
		return i
	}
	return OtherStage
}

// CarrierIndex is c's position in territory.Carriers; unknown carriers
// count as territory.CarrierUnknown.
func CarrierIndex(c territory.Carrier) int {
	for i, x := range territory.Carriers {
		if x == c {
			return i
		}
	}
	return 3 // territory.CarrierUnknown
}

// sizeIndex is 1 + s's position in territory.Sizes, 0 for none or unknown.
func sizeIndex(s territory.Size) int {
	for i, x := range territory.Sizes {
		if x == s {
			return i + 1
		}
	}
	return 0
}
