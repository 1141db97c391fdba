package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"gridplan/data/sqlite"
	"gridplan/funnel"
	"gridplan/territory"
)

// TestFunnelLapseCommand: a claim idle for 40 days lapses once; the
// customer returns to the pool.
func TestFunnelLapseCommand(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "g.db")
	s, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	sq := orb.Polygon{{{120.1, 30.2}, {120.2, 30.2}, {120.2, 30.3}, {120.1, 30.3}, {120.1, 30.2}}}
	d := &territory.District{Code: "330106", Name: "西湖区", City: "杭州市", Province: "浙江省", Boundary: orb.MultiPolygon{sq}}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(s.CreateDistrict(ctx, d))
	g := &territory.Grid{Code: "XH-01", Name: "网格", DistrictID: d.ID, Boundary: sq, Status: territory.GridPublished}
	must(s.CreateGrid(ctx, g))
	m := &territory.Manager{Code: "m001", Name: "张伟", GridID: g.ID, Base: orb.Point{120.15, 30.25}}
	m.Normalize()
	must(s.CreateManager(ctx, m))
	cu := &territory.Customer{ExternalID: "C1", Name: "某公司", Location: orb.Point{120.15, 30.25}, GridID: g.ID, Stage: funnel.List, OwnerID: m.ID}
	cu.Normalize()
	must(s.CreateCustomer(ctx, cu))
	old := time.Now().AddDate(0, 0, -40)
	must(s.CreateClaim(ctx, &funnel.Claim{CustomerID: cu.ID, ManagerID: m.ID, Status: funnel.ClaimActive, ClaimedAt: old, LastActivityAt: old}))
	must(s.Close())

	for i, want := range []string{"1 claims lapsed", "0 claims lapsed"} {
		out, _, err := runCmd(t, noEnv, "", "funnel", "lapse", "--db", "sqlite:"+path)
		if err != nil || !strings.Contains(out, want) {
			t.Fatalf("run %d: %q, %v; want %q", i+1, out, err, want)
		}
	}
	s, err = sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got, err := s.Customer(ctx, cu.ID)
	if err != nil || got.Stage != funnel.Target || got.OwnerID != 0 {
		t.Fatalf("customer after the lapse: %+v, %v", got, err)
	}
	if _, _, err := runCmd(t, noEnv, "", "funnel", "sweep"); err == nil || !strings.Contains(err.Error(), "unknown command") {
		t.Errorf("funnel sweep: %v", err)
	}
}
