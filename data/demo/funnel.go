package demo

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/paulmach/orb"

	"gridplan/funnel"
	"gridplan/geo"
	"gridplan/territory"
)

// Funnel shape of the demo city.
const (
	claimShare   = 0.25 // share of a grid's businesses on managers' lists
	listAverage  = 40   // customers per list the team size is chosen for
	listMin      = 31   // lists are drawn within [listMin, listMax] …
	listMax      = 66   // … inside the default quota 30–70
	slackShare   = 0.20 // share of a grid kept unclaimed at least (target base)
	inNetShare   = 0.10
	lostShare    = 0.015
	churnedShare = 0.008
	// LapseDays is the claim lapse period the demo is drawn for: active
	// claims had their last activity less than this many days before Now,
	// a few of them close to it.
	LapseDays = 30
)

// buildManagers staffs each grid from its number of businesses: enough
// managers for about claimShare of them to sit on lists of ~40, at least
// one. Each manager's base is an office on a road inside his grid.
func (g *gen) buildManagers() error {
	rng := g.rng(streamManagers)
	g.gridCust = make([][]int32, len(g.city.Grids))
	for i := range g.cust {
		gi := g.cust[i].grid
		g.gridCust[gi] = append(g.gridCust[gi], int32(i))
	}
	g.gridMgr = make([][]int32, len(g.city.Grids))
	for gi, cs := range g.gridCust {
		n := max(1, int(math.Round(float64(len(cs))*claimShare/listAverage)))
		for k := range n {
			mi := int32(len(g.city.Managers))
			m := &territory.Manager{
				ID:     int64(mi + 1),
				Code:   "m" + pad(int(mi)+1, 3),
				Name:   personName(rng),
				GridID: int64(gi + 1),
				Base:   g.officeIn(rng, int32(gi)),
				Phone:  phone(rng),
			}
			if k == 0 && n >= 2 {
				m.Role = territory.RoleGridLead
			}
			m.Normalize()
			g.city.Managers = append(g.city.Managers, m)
			g.gridMgr[gi] = append(g.gridMgr[gi], mi)
		}
	}
	return nil
}

// officeIn returns a point on a road inside grid gi (the team's office),
// or the grid's centroid when no road crosses it.
func (g *gen) officeIn(rng *rand.Rand, gi int32) orb.Point {
	for range 20 {
		pc, m, ok := g.sampleInGrid(rng, gi)
		if !ok {
			break
		}
		off := uniform(rng, 15, 40) * float64(1-2*rng.IntN(2))
		if p := pc.pointOn(m, off); g.locate(p) == gi {
			return p
		}
	}
	x, y, _ := g.lat.cellCentroid(int(g.gridCell[gi]))
	return g.fr.ll(x, y)
}

// Activity notes, per kind of step.
var (
	notesFirstVisit = []string{"扫楼首次拜访，已建档", "扫街拜访，了解通信使用情况", "上门拜访，留下名片和资费单", "首次拜访，确认关键联系人"}
	notesPhone      = []string{"电话回访，确认联系人", "电话沟通资费", "电话预约上门时间"}
	notesSignal     = map[funnel.SignalKind]string{
		funnel.CompetitorComplaint: "客户反映现有宽带经常掉线，对价格不满",
		funnel.NewNeed:             "新增门店，需要专线和监控",
		funnel.ProductInquiry:      "客户询问千兆宽带和云电脑",
		funnel.ContractExpiring:    "现有运营商合同即将到期",
		funnel.Relocation:          "公司下月搬迁，通信需要重新规划",
	}
	decisionMakers = []string{"总经理", "行政主管", "办公室主任", "IT负责人", "财务总监", "老板本人"}
	notesIntent    = []string{"客户提出明确需求：千兆专线", "客户提出明确需求：企业宽带+固话", "客户提出明确需求：云办公套餐", "客户提出明确需求：5G专网试点"}
)

// funnelState is the funnel step's working set.
type funnelState struct {
	g      *gen
	rng    *rand.Rand
	now    time.Time
	today  time.Time // midnight of Now in China Standard Time
	acts   []funnel.Activity
	pos    []orb.Point
	claims []funnel.Claim
	first  []time.Time // per customer: first and last activity (or transition)
	last   []time.Time
	// Stage changes, with the manager (index) who made each, -1 for the
	// system; follow-ups, with the activity (index in acts) that made each.
	trans   []funnel.Transition
	transBy []int32
	fups    []funnel.FollowUp
	fupAct  []int32
}

var cst = time.FixedZone("CST", 8*3600)

// dayAt is a business-hours instant (08:30–18:00 CST) daysAgo calendar days
// before Now's day; daysAgo ≥ 1 is always before Now. Whole seconds, UTC.
func (f *funnelState) dayAt(daysAgo int) time.Time {
	t := f.today.AddDate(0, 0, -daysAgo).Add(8*time.Hour + 30*time.Minute + time.Duration(f.rng.IntN(9*3600+1800))*time.Second)
	return t.UTC()
}

// activity appends an activity of manager mi on customer ci and returns
// its index in f.acts.
func (f *funnelState) activity(ci, mi int32, kind funnel.ActivityKind, at time.Time, note string, signals []funnel.SignalKind) int32 {
	a := funnel.Activity{
		CustomerID: int64(ci + 1), ManagerID: int64(mi + 1), Kind: kind, At: at, Note: note, Signals: signals,
	}
	if kind == funnel.VisitBuilding || kind == funnel.VisitStreet || kind == funnel.VisitDoor {
		c := f.g.cust[ci].p
		var p orb.Point
		if f.rng.Float64() < 0.03 { // logged far from the customer: unverified
			ang := uniform(f.rng, 0, 2*math.Pi)
			d := uniform(f.rng, 300, 900)
			p = geo.Offset(c, d*math.Cos(ang), d*math.Sin(ang))
		} else {
			p = geo.Offset(c, normal(f.rng, 0, 12), normal(f.rng, 0, 12))
			a.Verified = true
		}
		if len(f.pos) == cap(f.pos) {
			// A new chunk: earlier Position pointers keep the old one alive.
			f.pos = make([]orb.Point, 0, 1<<14)
		}
		f.pos = append(f.pos, p)
		a.Position = &f.pos[len(f.pos)-1]
	}
	f.acts = append(f.acts, a)
	if f.first[ci].IsZero() || at.Before(f.first[ci]) {
		f.first[ci] = at
	}
	if at.After(f.last[ci]) {
		f.last[ci] = at
	}
	return int32(len(f.acts) - 1)
}

// transition appends customer ci's stage change from → to at at, made by
// manager mi (by the system when system), on mi's list.
func (f *funnelState) transition(ci, mi int32, system bool, from, to funnel.Stage, at time.Time, reason string, evidence map[string]string) {
	f.trans = append(f.trans, funnel.Transition{
		CustomerID: int64(ci + 1), ManagerID: int64(mi + 1), From: from, To: to, At: at, Reason: reason, Evidence: evidence,
	})
	by := mi
	if system {
		by = -1
	}
	f.transBy = append(f.transBy, by)
	if at.After(f.last[ci]) {
		f.last[ci] = at
	}
}

// Evidence of the default checklists (funnel.DefaultConfig), drawn from the
// customer's index rather than the random stream, so that the rest of the
// city does not change with them.
func potentialEvidence(ci int32) map[string]string {
	return map[string]string{"budget_confirmed": "true", "decision_maker": decisionMakers[int(ci)%len(decisionMakers)]}
}

func orderEvidence(ci int32, at time.Time) map[string]string {
	return map[string]string{"order_ref": fmt.Sprintf("HT-%d-%07d", at.In(cst).Year(), ci+1)}
}

func activationEvidence(at time.Time) map[string]string {
	return map[string]string{"activation_date": at.In(cst).Format("2006-01-02")}
}

// between is an instant between a and b, a whole number of days after a
// (so at a's time of day), about halfway; a itself when b is less than two
// days later.
func between(a, b time.Time) time.Time {
	return a.AddDate(0, 0, int(b.Sub(a)/(48*time.Hour)))
}

// chain appends the forward steps of customer ci from list up to stage to
// (potential … in_network), listed at tc, at the instants at (parallel to
// the steps potential … to), with the checklists' evidence; intent's
// requirement is requirement.
func (f *funnelState) chain(ci, mi int32, to funnel.Stage, at []time.Time, requirement string) {
	from := funnel.List
	for k, st := range funnel.Steps[funnel.Potential.Step()-1 : to.Step()] {
		var ev map[string]string
		switch st {
		case funnel.Potential:
			ev = potentialEvidence(ci)
		case funnel.Intent:
			ev = map[string]string{"requirement": requirement}
		case funnel.Order:
			ev = orderEvidence(ci, at[k])
		case funnel.InNetwork:
			ev = activationEvidence(at[k])
		}
		f.transition(ci, mi, false, from, st, at[k], "", ev)
		from = st
	}
}

// claimSignal is the opportunity signal seen on the claiming visit of a
// customer who went on to be sold (potential's checklist needs one): a new
// need or an inquiry, by the customer's index.
func claimSignal(ci int32) []funnel.SignalKind {
	return []funnel.SignalKind{[]funnel.SignalKind{funnel.NewNeed, funnel.ProductInquiry}[ci%2]}
}

// mix is a fixed hash of a customer index (SplitMix64's finaliser), for
// details that must not draw from the random stream.
func mix(ci int32) uint64 {
	z := uint64(ci) + 0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// followUpLead is how long before a competitor contract's end the demo's
// follow-up is due, as the sales service schedules it.
const followUpLead = 30

// contractExpiring gives activity k (with a contract_expiring signal) of
// customer ci its contract end, 1–6 months after the activity's day, and
// schedules the follow-up: followUpLead days before the end, or the
// activity's day when that is later. A follow-up due before Now was done
// on its day, except every third, which is overdue.
func (f *funnelState) contractExpiring(ci, mi, k int32) {
	a := &f.acts[k]
	local := a.At.In(cst)
	day := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, time.UTC)
	h := mix(ci)
	expires := day.AddDate(0, 0, 30+int(h%154)) // 30–183 days

	a.ContractExpires = &expires
	due := expires.AddDate(0, 0, -followUpLead)
	if due.Before(day) {
		due = day
	}
	fu := funnel.FollowUp{
		CustomerID: int64(ci + 1), ManagerID: int64(mi + 1), Due: due, CreatedAt: a.At,
		Reason: "竞争对手合同 " + expires.Format("2006-01-02") + " 到期，提前跟进续约机会",
	}
	// Done on the due day at 10:00 Beijing time (02:00 UTC), if that has
	// passed, after the activity.
	done := due.Add(2 * time.Hour)
	if done.Before(a.At) {
		done = a.At.Add(time.Hour)
	}
	if done.Before(f.now) && (h>>16)%3 != 0 {
		fu.DoneAt = &done
	}
	f.fups = append(f.fups, fu)
	f.fupAct = append(f.fupAct, k)
}

// visitKind is how a manager first meets a business: sweeping its building
// (扫楼) in a park, tower or plaza, sweeping the street (扫街) otherwise.
func (f *funnelState) visitKind(ci int32) funnel.ActivityKind {
	if f.g.cust[ci].where >= inPark {
		return funnel.VisitBuilding
	}
	return funnel.VisitStreet
}

func (f *funnelState) claim(ci, mi int32, status funnel.ClaimStatus, claimed, last time.Time, ended *time.Time, reason string) {
	f.claims = append(f.claims, funnel.Claim{
		CustomerID: int64(ci + 1), ManagerID: int64(mi + 1), Status: status,
		ClaimedAt: claimed, LastActivityAt: last, EndedAt: ended, EndReason: reason,
	})
}

func ptr(t time.Time) *time.Time { return &t }

// buildFunnel sets every business's stage, carrier and owner, with the
// claims and activities that history implies. Per grid: about 10% are in
// network, a few lost or churned; the managers' lists are filled from the
// rest within quota, leaving at least 20% unclaimed; list, potential,
// intent and order shrink step by step; everything else is a target.
func (g *gen) buildFunnel() error {
	now := g.opts.Now
	nc := now.In(cst)
	f := &funnelState{
		g: g, rng: g.rng(streamFunnel), now: now,
		today: time.Date(nc.Year(), nc.Month(), nc.Day(), 0, 0, 0, 0, cst),
		first: make([]time.Time, len(g.cust)), last: make([]time.Time, len(g.cust)),
	}
	est := len(g.cust) * 2
	f.acts = make([]funnel.Activity, 0, est)
	f.pos = make([]orb.Point, 0, est)
	rng := f.rng
	for gi, cs := range g.gridCust {
		mgrs := g.gridMgr[gi]
		order := slices.Clone(cs)
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		var pool []int32
		for _, ci := range order {
			c := g.city.Customers[ci]
			mi := mgrs[rng.IntN(len(mgrs))]
			switch r := rng.Float64(); {
			case r < inNetShare:
				f.inNetwork(ci, mi, c)
			case r < inNetShare+lostShare:
				f.lost(ci, mi, c)
			case r < inNetShare+lostShare+churnedShare:
				f.churned(ci, mi, c)
			default:
				pool = append(pool, ci)
			}
		}
		claimable := len(pool) - int(math.Ceil(slackShare*float64(len(cs))))
		per := float64(len(cs)) * claimShare / float64(len(mgrs))
		for _, mi := range mgrs {
			size := clampI(int(math.Round(per*uniform(rng, 0.85, 1.15))), listMin, listMax)
			size = max(0, min(size, claimable))
			for _, ci := range pool[:size] {
				f.claimed(ci, mi, g.city.Customers[ci])
			}
			pool, claimable = pool[size:], claimable-size
		}
		for _, ci := range pool {
			f.target(ci, mgrs[rng.IntN(len(mgrs))], g.city.Customers[ci])
		}
	}
	for i, c := range g.city.Customers {
		c.CreatedAt, c.UpdatedAt = f.first[i], f.last[i]
	}
	f.publish()
	return nil
}

// carrier draws a carrier from shares (ours, competitor, none, unknown).
func (f *funnelState) carrier(ours, competitor, none, unknown float64) territory.Carrier {
	return territory.Carriers[pickIndex(f.rng, []float64{ours, competitor, none, unknown})]
}

// target: first contacted on a visit (or a call) some time in the last
// year; a few were on a list once and lapsed back to the pool.
func (f *funnelState) target(ci, mi int32, c *territory.Customer) {
	c.Stage, c.Carrier = funnel.Target, f.carrier(0, 45, 15, 40)
	rng := f.rng
	if rng.Float64() < 0.08 {
		dc := 70 + rng.IntN(131)
		dl := dc - rng.IntN(26)
		tc, tl := f.dayAt(dc), f.dayAt(dl)
		if dl == dc {
			tl = tc
		}
		f.activity(ci, mi, f.visitKind(ci), tc, notesFirstVisit[rng.IntN(len(notesFirstVisit))], nil)
		if tl != tc {
			f.activity(ci, mi, funnel.Phone, tl, notesPhone[rng.IntN(len(notesPhone))], nil)
		}
		const lapse = "30天无有效销售动作，报备失效，退回网格客户池"
		te := tl.AddDate(0, 0, LapseDays)
		f.claim(ci, mi, funnel.ClaimLapsed, tc, tl, ptr(te), lapse)
		f.transition(ci, mi, false, funnel.Target, funnel.List, tc, "", nil)
		f.transition(ci, mi, true, funnel.List, funnel.Target, te, lapse, nil)
		return
	}
	kind, note := f.visitKind(ci), notesFirstVisit[rng.IntN(len(notesFirstVisit))]
	if rng.Float64() < 0.15 {
		kind, note = funnel.Phone, notesPhone[rng.IntN(len(notesPhone))]
	}
	f.activity(ci, mi, kind, f.dayAt(1+rng.IntN(365)), note, nil)
}

// claimed: on manager mi's list at list, potential, intent or order, with
// an active claim 1–60 days old and recent activity; about 4% of claims
// are close to lapsing.
func (f *funnelState) claimed(ci, mi int32, c *territory.Customer) {
	rng := f.rng
	c.Stage = []funnel.Stage{funnel.List, funnel.Potential, funnel.Intent, funnel.Order}[pickIndex(rng, []float64{48, 27, 16, 9})]
	c.Carrier, c.OwnerID = f.carrier(0, 72, 22, 6), int64(mi+1)
	var dc int
	switch c.Stage {
	case funnel.List:
		dc = 2 + rng.IntN(44)
	case funnel.Potential:
		dc = 6 + rng.IntN(47)
	case funnel.Intent:
		dc = 12 + rng.IntN(47)
	default:
		dc = 18 + rng.IntN(42)
	}
	var dl int
	if rng.Float64() < 0.04 {
		dl = 24 + rng.IntN(5) // 24–28 days: lapses within a week
		dc = max(dc, dl+1+rng.IntN(59-dl))
	} else {
		dl = min(dc-1, 1+int(rng.ExpFloat64()*4), 20)
	}
	tc, tl := f.dayAt(dc), f.dayAt(dl)
	f.activity(ci, mi, f.visitKind(ci), tc, "报备：纳入清单", nil)
	// Steps between the claim and the last activity, in date order.
	var steps []funnel.ActivityKind
	var notes []string
	var signals [][]funnel.SignalKind
	add := func(k funnel.ActivityKind, note string, s []funnel.SignalKind) {
		steps, notes, signals = append(steps, k), append(notes, note), append(signals, s)
	}
	if c.Stage != funnel.List {
		s := funnel.SignalKinds[rng.IntN(len(funnel.SignalKinds))]
		sig := []funnel.SignalKind{s}
		if rng.Float64() < 0.2 {
			if s2 := funnel.SignalKinds[rng.IntN(len(funnel.SignalKinds))]; s2 != s {
				sig = append(sig, s2)
			}
		}
		add([]funnel.ActivityKind{funnel.VisitDoor, funnel.Phone}[rng.IntN(2)], notesSignal[s], sig)
	}
	if c.Stage == funnel.Intent || c.Stage == funnel.Order {
		add([]funnel.ActivityKind{funnel.Proposal, funnel.Demo}[rng.IntN(2)], notesIntent[rng.IntN(len(notesIntent))], nil)
	}
	if c.Stage == funnel.Order {
		add([]funnel.ActivityKind{funnel.Bid, funnel.Negotiation}[rng.IntN(2)], "商务谈判，确认资费", nil)
		add(funnel.Negotiation, "签订订单，待装机", nil)
	}
	if len(steps) == 0 {
		if dl < dc {
			f.activity(ci, mi, []funnel.ActivityKind{funnel.Phone, funnel.VisitDoor}[rng.IntN(2)], tl, notesPhone[rng.IntN(len(notesPhone))], nil)
		} else {
			tl = tc
		}
		f.claim(ci, mi, funnel.ClaimActive, tc, tl, nil, "")
		f.transition(ci, mi, false, funnel.Target, funnel.List, tc, "", nil)
		return
	}
	// The last step is on day dl; earlier ones on days strictly between.
	days := make([]int, len(steps))
	days[len(days)-1] = dl
	for k := len(days) - 2; k >= 0; k-- {
		hi := dc - 1 - k // leave a day for each earlier step
		lo := days[k+1] + 1
		days[k] = lo
		if hi > lo {
			days[k] = lo + rng.IntN(hi-lo+1)
		}
	}
	idx := make([]int32, len(steps))
	for k := range steps {
		at := tl
		if k < len(steps)-1 {
			at = f.dayAt(days[k])
			if days[k] >= dc { // no room between: same day as the claim, just after it
				at = tc.Add(time.Duration(k+1) * time.Minute)
			}
		}
		idx[k] = f.activity(ci, mi, steps[k], at, notes[k], signals[k])
		if slices.Contains(signals[k], funnel.ContractExpiring) {
			f.contractExpiring(ci, mi, idx[k])
		}
	}
	f.claim(ci, mi, funnel.ClaimActive, tc, tl, nil, "")
	// Each step reached was entered with the activity that met its
	// checklist: the signal (potential), the proposal (intent), the signed
	// order (order, the last step).
	f.transition(ci, mi, false, funnel.Target, funnel.List, tc, "", nil)
	at := []time.Time{f.acts[idx[0]].At}
	if len(idx) > 1 {
		at = append(at, f.acts[idx[1]].At)
	}
	if len(idx) > 2 {
		at = append(at, f.acts[idx[len(idx)-1]].At)
	}
	var requirement string
	if len(notes) > 1 {
		requirement = notes[1]
	}
	f.chain(ci, mi, c.Stage, at, requirement)
}

// inNetwork: claimed, sold and activated some time ago; the claim ended at
// activation; half got a retention call since.
func (f *funnelState) inNetwork(ci, mi int32, c *territory.Customer) {
	rng := f.rng
	c.Stage, c.Carrier = funnel.InNetwork, territory.CarrierOurs
	da := 20 + rng.IntN(881)
	dc := da + 15 + rng.IntN(46)
	tc, tp, ta := f.dayAt(dc), f.dayAt(da+5+rng.IntN(8)), f.dayAt(da)
	f.activity(ci, mi, f.visitKind(ci), tc, "报备：纳入清单", claimSignal(ci))
	requirement := notesIntent[rng.IntN(len(notesIntent))]
	f.activity(ci, mi, funnel.Proposal, tp, requirement, nil)
	f.activity(ci, mi, funnel.Activation, ta, "装机开通，客户入网", nil)
	f.claim(ci, mi, funnel.ClaimReleased, tc, ta, ptr(ta), "已开通入网，转在网维护")
	f.transition(ci, mi, false, funnel.Target, funnel.List, tc, "", nil)
	f.chain(ci, mi, funnel.InNetwork, []time.Time{between(tc, tp), tp, between(tp, ta), ta}, requirement)
	if rng.IntN(2) == 0 {
		f.activity(ci, mi, funnel.RetentionCall, f.dayAt(1+rng.IntN(da-1)), "在网关怀回访", nil)
	}
}

// lost: was on a list, then dropped out; the claim was released.
func (f *funnelState) lost(ci, mi int32, c *territory.Customer) {
	rng := f.rng
	c.Stage, c.Carrier = funnel.Lost, f.carrier(0, 70, 30, 0)
	dc := 40 + rng.IntN(261)
	de := dc - 5 - rng.IntN(26)
	tc, te := f.dayAt(dc), f.dayAt(de)
	f.activity(ci, mi, f.visitKind(ci), tc, "报备：纳入清单", nil)
	reason := []string{"客户已与竞争对手续约", "客户明确暂无需求"}[rng.IntN(2)]
	f.activity(ci, mi, funnel.Phone, te, reason, nil)
	f.claim(ci, mi, funnel.ClaimReleased, tc, te, ptr(te), reason)
	f.transition(ci, mi, false, funnel.Target, funnel.List, tc, "", nil)
	f.transition(ci, mi, false, funnel.List, funnel.Lost, te, reason, nil)
}

// churned: was in network, then left for a competitor.
func (f *funnelState) churned(ci, mi int32, c *territory.Customer) {
	rng := f.rng
	c.Stage, c.Carrier = funnel.Churned, territory.CarrierCompetitor
	da := 200 + rng.IntN(801)
	dc := da + 15 + rng.IntN(46)
	dx := 10 + rng.IntN(da-110)
	tc, ta, tx := f.dayAt(dc), f.dayAt(da), f.dayAt(dx)
	f.activity(ci, mi, f.visitKind(ci), tc, "报备：纳入清单", claimSignal(ci))
	f.activity(ci, mi, funnel.Activation, ta, "装机开通，客户入网", nil)
	f.claim(ci, mi, funnel.ClaimReleased, tc, ta, ptr(ta), "已开通入网，转在网维护")
	f.activity(ci, mi, funnel.RetentionCall, tx, "客户离网，转竞争对手", nil)
	f.transition(ci, mi, false, funnel.Target, funnel.List, tc, "", nil)
	mid := between(tc, ta)
	f.chain(ci, mi, funnel.InNetwork, []time.Time{between(tc, mid), mid, between(mid, ta), ta}, notesIntent[int(ci)%len(notesIntent)])
	f.transition(ci, mi, false, funnel.InNetwork, funnel.Churned, tx, "客户离网，转竞争对手", nil)
}

// publish numbers claims by claim time and activities by time (ties in
// generation order), so ids grow with time as in a real log.
func (f *funnelState) publish() {
	c := f.g.city
	claimIdx := make([]int32, len(f.claims))
	for i := range claimIdx {
		claimIdx[i] = int32(i)
	}
	slices.SortStableFunc(claimIdx, func(a, b int32) int { return f.claims[a].ClaimedAt.Compare(f.claims[b].ClaimedAt) })
	c.Claims = make([]*funnel.Claim, len(f.claims))
	for i, k := range claimIdx {
		cl := &f.claims[k]
		cl.ID = int64(i + 1)
		c.Claims[i] = cl
	}
	type key struct {
		at  int64
		idx int32
	}
	keys := make([]key, len(f.acts))
	for i := range f.acts {
		keys[i] = key{f.acts[i].At.Unix(), int32(i)}
	}
	slices.SortFunc(keys, func(a, b key) int {
		if a.at != b.at {
			return cmp.Compare(a.at, b.at)
		}
		return cmp.Compare(a.idx, b.idx)
	})
	c.Activities = make([]*funnel.Activity, len(f.acts))
	for i, k := range keys {
		a := &f.acts[k.idx]
		a.ID = int64(i + 1)
		c.Activities[i] = a
	}

	// Transitions by time (ties in generation order: a customer's steps
	// are generated in order), follow-ups by creation.
	order := make([]int32, len(f.trans))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortStableFunc(order, func(a, b int32) int { return f.trans[a].At.Compare(f.trans[b].At) })
	c.Transitions = make([]*funnel.Transition, len(f.trans))
	f.g.transBy = make([]int32, len(f.trans))
	for i, k := range order {
		t := &f.trans[k]
		t.ID = int64(i + 1)
		c.Transitions[i] = t
		f.g.transBy[i] = f.transBy[k]
	}
	order = make([]int32, len(f.fups))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortStableFunc(order, func(a, b int32) int { return f.fups[a].CreatedAt.Compare(f.fups[b].CreatedAt) })
	c.FollowUps = make([]*funnel.FollowUp, len(f.fups))
	for i, k := range order {
		fu := &f.fups[k]
		fu.ID, fu.ActivityID = int64(i+1), f.acts[f.fupAct[k]].ID
		c.FollowUps[i] = fu
	}
}
