package territory_test

import (
	"context"
	"errors"
	"testing"

	"gridplan/territory"
)

// fakeCoverage gives customer id the status id % 4 picks (existing, under
// construction, planned, none) and counts the live grids of a store as it
// was when made.
type fakeCoverage struct {
	grids map[int64]territory.CoverageCounts
}

var fakeStatuses = []territory.ResourceStatus{territory.ResourceExisting, territory.ResourceUnderConstruction, territory.ResourcePlanned, ""}

func (fakeCoverage) CustomerCoverage(id int64) territory.ResourceStatus { return fakeStatuses[id%4] }

func (c fakeCoverage) GridCoverage(gridID int64) territory.CoverageCounts { return c.grids[gridID] }

func countCoverage(c *territory.CoverageCounts, id int64) {
	switch fakeStatuses[id%4] {
	case territory.ResourceExisting:
		c.Existing++
	case territory.ResourceUnderConstruction:
		c.UnderConstruction++
	case territory.ResourcePlanned:
		c.Planned++
	default:
		c.None++
	}
}

// coverageOf counts f's live grids by the fake statuses.
func coverageOf(f *planFake) fakeCoverage {
	f.mu.Lock()
	defer f.mu.Unlock()
	cv := fakeCoverage{grids: map[int64]territory.CoverageCounts{}}
	for id, c := range f.st.customers {
		n := cv.grids[c.GridID]
		countCoverage(&n, id)
		cv.grids[c.GridID] = n
	}
	return cv
}

func sum(c *territory.CoverageCounts) int {
	return c.Existing + c.UnderConstruction + c.Planned + c.None
}

// The preview's coverage per grid is what the grids hold by coverage once
// the plan is published; before, the live grids' counts.
func TestPreviewCoverageCounts(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f, p, d := cityPlanner(t)
	gs := mustGrids(t, p, d.ID)
	g, corner, _ := inner(t, gs)
	drawn := &territory.PlanGrid{Code: "NEW-01", Name: "新网格", DistrictID: g.DistrictID, Boundary: squareAt(corner, 300)}

	if pre, err := p.Preview(ctx, d.ID, drawn, territory.EditOptions{}); err != nil || pre.Grids[0].Coverage != nil || pre.Grids[0].CoverageBefore != nil {
		t.Fatalf("without Coverage: %v, counts %+v", err, pre.Grids[0])
	}
	calls := 0
	p.Coverage = func(context.Context) (territory.CoverageView, error) { calls++; return coverageOf(f), nil }
	pre, err := p.Preview(ctx, d.ID, drawn, territory.EditOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if calls != 1 || len(pre.Grids) != 5 {
		t.Fatalf("%d coverage calls, %d grid lines (want 1 and the new grid with its 4 neighbours)", calls, len(pre.Grids))
	}
	for _, gd := range pre.Grids {
		if gd.Coverage == nil || gd.CoverageBefore == nil || sum(gd.Coverage) != gd.After || sum(gd.CoverageBefore) != gd.Before {
			t.Errorf("grid %s: %d → %d customers, coverage %+v → %+v", gd.Code, gd.Before, gd.After, gd.CoverageBefore, gd.Coverage)
		}
	}
	res, err := p.SaveGrid(ctx, d.ID, drawn, territory.EditOptions{}, "alice")
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Diff.Grids) != 5 || res.Diff.Grids[0].Coverage == nil {
		t.Errorf("the edit's own diff has no coverage: %+v", res.Diff.Grids)
	}
	d, _ = f.Plan(ctx, d.ID)
	if _, err := p.Publish(ctx, d.ID, d.Version, "alice"); err != nil {
		t.Fatal(err)
	}
	after := coverageOf(f)
	for _, gd := range pre.Grids {
		live := gd.GridID
		if live == 0 {
			for _, pg := range mustGrids(t, p, d.ID) {
				if pg.Code == gd.Code {
					live = pg.GridID
				}
			}
		}
		if got := after.grids[live]; got != *gd.Coverage {
			t.Errorf("grid %s after publishing: %+v, the preview said %+v", gd.Code, got, *gd.Coverage)
		}
	}
}

// Compare counts each side's grids by coverage; they add up to the
// side's customers and, for the published plan, equal the live grids'.
func TestCompareCoverageCounts(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f, p, d := cityPlanner(t)
	gs := mustGrids(t, p, d.ID)
	g, corner, _ := inner(t, gs)
	if _, err := p.SaveGrid(ctx, d.ID, &territory.PlanGrid{Code: "NEW-01", Name: "新网格", DistrictID: g.DistrictID, Boundary: squareAt(corner, 300)},
		territory.EditOptions{}, "alice"); err != nil {
		t.Fatal(err)
	}
	live := coverageOf(f)
	p.Coverage = func(context.Context) (territory.CoverageView, error) { return live, nil }
	cmp, err := p.Compare(ctx, d.BasePlanID, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, row := range cmp.Grids {
		for _, side := range []*territory.GridSide{row.A, row.B} {
			if side == nil {
				continue
			}
			if side.Coverage == nil || sum(side.Coverage) != side.Customers {
				t.Fatalf("grid %s: %d customers, coverage %+v", row.Code, side.Customers, side.Coverage)
			}
		}
		if row.A != nil && row.GridID != 0 {
			if want := live.grids[row.GridID]; *row.A.Coverage != want {
				t.Errorf("grid %s in the published plan: %+v, the live grid has %+v", row.Code, *row.A.Coverage, want)
			}
			checked++
		}
	}
	if checked < len(gs)/2 {
		t.Errorf("only %d rows checked", checked)
	}
	boom := errors.New("analysis failed")
	p.Coverage = func(context.Context) (territory.CoverageView, error) { return nil, boom }
	if _, err := p.Compare(ctx, d.BasePlanID, d.ID); !errors.Is(err, boom) {
		t.Errorf("a failing coverage: %v", err)
	}
	if _, err := p.Preview(ctx, d.ID, nil, territory.EditOptions{}); !errors.Is(err, boom) {
		t.Errorf("a failing coverage in preview: %v", err)
	}
}
