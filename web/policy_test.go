package web

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/paulmach/orb"

	"gridplan/funnel"
	"gridplan/territory"
)

var updateMatrix = flag.Bool("update-matrix", false, "rewrite README-matrix.md from the role matrix")

// matrixRoles are the matrix's columns: who calls. The manager is zhang,
// customer manager m001 of grid XH-01 (teammate li, m002; wang, m003, works
// grid GS-01 in the other district).
var matrixRoles = []struct{ name, user string }{
	{"anonymous", ""},
	{"manager", "zhang"},
	{"leader", "leader"},
	{"planner", "planner"},
	{"admin", "admin"},
}

// matrixRow is one endpoint and method, with the status each role gets.
type matrixRow struct {
	show   string // how the markdown shows the request
	method string
	path   func(w *world) string
	body   func(w *world, role string) any
	want   [5]int // in matrixRoles order
}

// matrixContentType is the Content-Type of rows whose body is not JSON.
var matrixContentType = map[string]string{"POST /api/imports (CSV body)": "text/csv", "POST /api/plans/:id/import (GeoJSON body)": "application/geo+json",
	"POST /api/resources/import (CSV body)": "text/csv"}

func fixed(p string) func(*world) string { return func(*world) string { return p } }

const (
	ok, created, gone = http.StatusOK, http.StatusCreated, http.StatusNoContent
	accepted          = http.StatusAccepted
	unauth, forbid    = http.StatusUnauthorized, http.StatusForbidden
)

var (
	readAll     = [5]int{unauth, ok, ok, ok, ok}
	ownOnly     = [5]int{unauth, forbid, ok, ok, ok}
	editGrid    = func(s int) [5]int { return [5]int{unauth, forbid, forbid, s, s} }
	adminOnly   = func(s int) [5]int { return [5]int{unauth, forbid, forbid, forbid, s} }
	readPlans   = [5]int{unauth, forbid, ok, ok, ok}
	editPlan    = func(s int) [5]int { return [5]int{unauth, forbid, forbid, s, s} }
	approvePlan = func(s int) [5]int { return [5]int{unauth, forbid, s, forbid, s} }
	readCover   = [5]int{unauth, forbid, ok, ok, ok} // leader, planner, admin: not managers
	// workFunnel: managers (on their own list and grid pool) and admins.
	workFunnel = func(s int) [5]int { return [5]int{unauth, s, forbid, forbid, s} }
	matrixRows = []matrixRow{
		{"GET /api/me", "GET", fixed("/api/me"), nil, readAll},
		{"GET /api/districts", "GET", fixed("/api/districts"), nil, readAll},
		{"GET /api/districts/:id", "GET", func(w *world) string { return path("/api/districts/%d", w.d2.ID) }, nil, readAll},
		{"GET /api/grids", "GET", fixed("/api/grids"), nil, readAll},
		{"GET /api/grids?district_id=&status=", "GET", func(w *world) string { return path("/api/grids?district_id=%d&status=published", w.d1.ID) }, nil, readAll},
		{"GET /api/grids/:id", "GET", func(w *world) string { return path("/api/grids/%d", w.g3.ID) }, nil, readAll},
		{"POST /api/grids", "POST", fixed("/api/grids"), func(w *world, role string) any {
			return gridFeatureBody("NEW-"+role, w.d1.ID, square(orb.Point{120.12, 30.30}, 0.005), 0)
		}, editGrid(created)},
		{"PUT /api/grids/:id", "PUT", func(w *world) string { return path("/api/grids/%d", w.g2.ID) }, func(w *world, role string) any {
			g, err := w.store.Grid(context.Background(), w.g2.ID)
			if err != nil {
				panic(err)
			}
			return gridFeatureBody(g.Code, g.DistrictID, square(orb.Point{120.20, 30.27}, 0.025), g.Version)
		}, editGrid(ok)},
		{"DELETE /api/grids/:id?version=N", "DELETE", func(w *world) string {
			g, err := w.store.Grid(context.Background(), w.gSpare.ID)
			if err != nil {
				return path("/api/grids/%d?version=%d", w.gSpare.ID, w.gSpare.Version)
			}
			return path("/api/grids/%d?version=%d", g.ID, g.Version)
		}, nil, editGrid(gone)},
		{"GET /api/managers", "GET", fixed("/api/managers"), nil, readAll},
		{"GET /api/managers?grid_id=(own grid)", "GET", func(w *world) string { return path("/api/managers?grid_id=%d", w.g1.ID) }, nil, readAll},
		{"GET /api/managers?grid_id=(other grid)", "GET", func(w *world) string { return path("/api/managers?grid_id=%d", w.g3.ID) }, nil, ownOnly},
		{"GET /api/managers/:id (teammate)", "GET", func(w *world) string { return path("/api/managers/%d", w.m2.ID) }, nil, readAll},
		{"GET /api/managers/:id (other team)", "GET", func(w *world) string { return path("/api/managers/%d", w.m3.ID) }, nil, ownOnly},
		{"GET /api/customers", "GET", fixed("/api/customers"), nil, readAll},
		{"GET /api/customers?owner_id=(self)", "GET", func(w *world) string { return path("/api/customers?owner_id=%d", w.m1.ID) }, nil, readAll},
		{"GET /api/customers?owner_id=(other manager)", "GET", func(w *world) string { return path("/api/customers?owner_id=%d", w.m2.ID) }, nil, ownOnly},
		{"GET /api/customers/:id (own)", "GET", func(w *world) string { return path("/api/customers/%d", w.own[w.m1.ID][0].ID) }, nil, readAll},
		{"GET /api/customers/:id (other manager's)", "GET", func(w *world) string { return path("/api/customers/%d", w.own[w.m2.ID][0].ID) }, nil, ownOnly},
		{"GET /api/customers/:id (grid pool)", "GET", func(w *world) string { return path("/api/customers/%d", w.pool[0].ID) }, nil, ownOnly},
		{"GET /api/resources", "GET", fixed("/api/resources"), nil, readAll},
		{"GET /api/resources/:id", "GET", func(w *world) string { return path("/api/resources/%d", w.res[0].ID) }, nil, readAll},
		{"POST /api/resources", "POST", fixed("/api/resources"), func(_ *world, role string) any {
			return resourceBody(pointGeom(orb.Point{120.12, 30.28}), map[string]any{"code": "M-" + role, "name": "矩阵光交箱", "kind": "fibre_cabinet", "status": "planned",
				"radius_m": 300, "expected_date": "2027-06-30"})
		}, editGrid(created)},
		{"PUT /api/resources/:id", "PUT", func(w *world) string { return path("/api/resources/%d", w.res[1].ID) }, func(_ *world, role string) any {
			return resourceBody(nil, map[string]any{"name": "古墩路 OLT " + role, "kind": "olt", "status": "existing", "cells": hexCells(orb.Point{120.15, 30.47}, 9, 1)})
		}, editGrid(ok)},
		{"DELETE /api/resources/:id", "DELETE", func(w *world) string { return path("/api/resources/%d", w.res[2].ID) }, nil, editGrid(gone)},
		{"POST /api/resources/import (CSV body)", "POST", fixed("/api/resources/import"), func(_ *world, role string) any {
			return "编码,名称,类型,状态,经度,纬度,半径\nI-" + role + ",矩阵导入,光交箱,在建,120.11,30.27,250\n"
		}, editGrid(ok)},
		{"GET /tiles/customers/:z/:x/:y.mvt (hexagons; managers: own customers)", "GET", func(w *world) string { return customerTilePath(w, 10) }, nil, readAll},
		{"GET /tiles/customers/:z/:x/:y.mvt (points; managers: own customers)", "GET", func(w *world) string { return customerTilePath(w, 15) }, nil, readAll},
		{"GET /api/users", "GET", fixed("/api/users"), nil, adminOnly(ok)},
		{"POST /api/users", "POST", fixed("/api/users"), func(_ *world, role string) any {
			return map[string]any{"username": "new-" + role, "password": "long enough secret", "role": "leader"}
		}, adminOnly(created)},
		{"DELETE /api/users/:id", "DELETE", func(w *world) string { return path("/api/users/%d", w.users["temp"].ID) }, nil, adminOnly(gone)},
		{"POST /api/imports (CSV body)", "POST", fixed("/api/imports"), func(_ *world, role string) any {
			return "外部编号,名称,经度,纬度\nM-" + role + ",矩阵测试,120.10,30.27\n"
		}, editGrid(accepted)},
		{"GET /api/imports", "GET", fixed("/api/imports"), nil, editGrid(ok)},
		{"GET /api/imports/:id", "GET", func(w *world) string { return path("/api/imports/%d", seedImportJob(w).ID) }, nil, editGrid(ok)},
		{"GET /api/imports/:id/rejects.csv", "GET", func(w *world) string { return path("/api/imports/%d/rejects.csv", seedImportJob(w).ID) }, nil, editGrid(ok)},
		{"GET /api/plans?status=", "GET", fixed("/api/plans?status=draft,published,archived"), nil, readPlans},
		{"POST /api/plans", "POST", fixed("/api/plans"), func(_ *world, role string) any { return map[string]any{"name": "M-" + role} }, editPlan(created)},
		{"GET /api/plans/:id", "GET", func(w *world) string { return path("/api/plans/%d", planSet(w).edit.ID) }, nil, readPlans},
		{"PATCH /api/plans/:id", "PATCH", func(w *world) string { return path("/api/plans/%d", planSet(w).edit.ID) }, func(w *world, role string) any {
			return map[string]any{"note": "matrix " + role, "version": currentPlan(w, planSet(w).edit.ID).Version}
		}, editPlan(ok)},
		{"DELETE /api/plans/:id", "DELETE", func(w *world) string { return path("/api/plans/%d", planSet(w).remove.ID) }, nil, editPlan(gone)},
		{"GET /api/plans/:id/grids", "GET", func(w *world) string { return path("/api/plans/%d/grids", planSet(w).edit.ID) }, nil, readPlans},
		{"POST /api/plans/:id/grids", "POST", func(w *world) string { return path("/api/plans/%d/grids", planSet(w).edit.ID) }, func(w *world, role string) any {
			return planFeature("P-"+role, w.d1.ID, rect(120.20, 30.25, 120.22, 30.27), 0)
		}, editPlan(created)},
		{"PUT /api/plans/:id/grids/:gid", "PUT", func(w *world) string {
			return path("/api/plans/%d/grids/%d", planSet(w).edit.ID, matrixPlanGrid(w, "XH-01").ID)
		}, func(w *world, _ string) any {
			g := matrixPlanGrid(w, "XH-01")
			return planFeature("XH-01", w.d1.ID, rect(120.08, 30.25, 120.15, 30.28), g.Version)
		}, editPlan(ok)},
		{"POST /api/plans/:id/grids/:gid/split", "POST", func(w *world) string {
			return path("/api/plans/%d/grids/%d/split", planSet(w).edit.ID, matrixPlanGrid(w, "GS-01").ID)
		}, func(w *world, _ string) any {
			return map[string]any{"line": map[string]any{"type": "LineString", "coordinates": [][]float64{{120.17, 30.44}, {120.17, 30.50}}},
				"version": matrixPlanGrid(w, "GS-01").Version}
		}, editPlan(ok)},
		{"POST /api/plans/:id/merge", "POST", func(w *world) string { return path("/api/plans/%d/merge", planSet(w).edit.ID) }, func(w *world, _ string) any {
			a := matrixPlanGrid(w, "GS-01")
			b := a // where the split was refused (403), the merge is refused before it looks
			for _, g := range must2(w.store.PlanGrids(context.Background(), a.PlanID)) {
				if g.Code == "GS-01-2" {
					b = g
				}
			}
			return map[string]any{"grid_ids": []int64{a.ID, b.ID}, "versions": []int{a.Version, b.Version}}
		}, editPlan(ok)},
		{"DELETE /api/plans/:id/grids/:gid?version=N", "DELETE", func(w *world) string {
			g := matrixPlanGrid(w, "XH-02")
			return path("/api/plans/%d/grids/%d?version=%d", planSet(w).edit.ID, g.ID, g.Version)
		}, nil, editPlan(ok)},
		{"POST /api/plans/:id/preview", "POST", func(w *world) string { return path("/api/plans/%d/preview", planSet(w).edit.ID) }, func(w *world, _ string) any {
			return map[string]any{"grid": planFeature("NEW", w.d2.ID, rect(120.19, 30.45, 120.22, 30.47), 0)}
		}, readPlans},
		{"GET /api/plans/:id/validation", "GET", func(w *world) string { return path("/api/plans/%d/validation", planSet(w).edit.ID) }, nil, readPlans},
		{"GET /api/plans/:id/compare/:other", "GET", func(w *world) string {
			return path("/api/plans/%d/compare/%d", planSet(w).edit.ID, planSet(w).publish.ID)
		}, nil, readPlans},
		{"POST /api/plans/:id/submit", "POST", func(w *world) string { return path("/api/plans/%d/submit", planSet(w).submit.ID) }, func(w *world, _ string) any {
			return map[string]any{"version": currentPlan(w, planSet(w).submit.ID).Version}
		}, editPlan(ok)},
		{"POST /api/plans/:id/approve", "POST", func(w *world) string { return path("/api/plans/%d/approve", planSet(w).approve.ID) }, func(w *world, _ string) any {
			return map[string]any{"version": currentPlan(w, planSet(w).approve.ID).Version}
		}, approvePlan(ok)},
		{"POST /api/plans/:id/publish", "POST", func(w *world) string { return path("/api/plans/%d/publish", planSet(w).publish.ID) }, func(w *world, _ string) any {
			return map[string]any{"version": currentPlan(w, planSet(w).publish.ID).Version}
		}, editPlan(ok)},
		{"GET /api/grids/export?format=kml", "GET", fixed("/api/grids/export?format=kml"), nil, readAll},
		{"GET /api/plans/:id/export", "GET", func(w *world) string { return path("/api/plans/%d/export", planSet(w).edit.ID) }, nil, readPlans},
		{"POST /api/plans/:id/import (GeoJSON body)", "POST", func(w *world) string { return path("/api/plans/%d/import", planSet(w).edit.ID) }, func(w *world, role string) any {
			return `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"I-` + role + `","district_code":"330106"},` +
				`"geometry":{"type":"Polygon","coordinates":[[[120.08,30.28],[120.09,30.28],[120.09,30.29],[120.08,30.29],[120.08,30.28]]]}}]}`
		}, editPlan(ok)},
		{"GET /api/coverage/summary?level=", "GET", fixed("/api/coverage/summary?level=grid"), nil, readCover},
		{"GET /api/coverage/gaps?res=", "GET", fixed("/api/coverage/gaps?res=9"), nil, readCover},
		{"GET /api/coverage/suggest?k=&radius=", "GET", fixed("/api/coverage/suggest?k=2&radius=300"), nil, readCover},
		{"GET /api/coverage/customers?status=", "GET", fixed("/api/coverage/customers?status=existing&carrier=competitor"), nil, readCover},
		{"GET /api/coverage/export.xlsx", "GET", fixed("/api/coverage/export.xlsx"), nil, readCover},
		{"POST /api/customers/:id/claim (own grid's pool)", "POST", func(w *world) string { return path("/api/customers/%d/claim", matrixFunnel(w).pool.ID) },
			func(w *world, _ string) any { return map[string]any{"manager_id": w.m1.ID} }, workFunnel(created)},
		{"POST /api/customers/:id/release (own claim)", "POST", func(w *world) string { return path("/api/customers/%d/release", matrixFunnel(w).claimed.ID) },
			func(_ *world, role string) any { return map[string]any{"reason": "matrix " + role} }, workFunnel(ok)},
		{"POST /api/customers/:id/release (other manager's claim)", "POST", func(w *world) string { return path("/api/customers/%d/release", matrixFunnel(w).others.ID) },
			nil, adminOnly(ok)},
		{"POST /api/followups/:id/done (own)", "POST", func(w *world) string { return path("/api/followups/%d/done", matrixFunnel(w).ownFollowUp.ID) },
			nil, workFunnel(ok)},
		{"POST /api/followups/:id/done (other manager's)", "POST", func(w *world) string { return path("/api/followups/%d/done", matrixFunnel(w).othersFollowUp.ID) },
			nil, adminOnly(ok)},
		{"POST /api/customers/:id/activities (own)", "POST", func(w *world) string { return path("/api/customers/%d/activities", w.own[w.m1.ID][1].ID) },
			func(*world, string) any { return map[string]any{"kind": "phone", "signals": []string{"new_need"}} }, workFunnel(created)},
		{"POST /api/customers/:id/activities (other manager's)", "POST", func(w *world) string { return path("/api/customers/%d/activities", w.own[w.m2.ID][0].ID) },
			func(*world, string) any { return map[string]any{"kind": "phone"} }, adminOnly(created)},
		{"GET /api/customers/:id/activities (own)", "GET", func(w *world) string { return path("/api/customers/%d/activities", w.own[w.m1.ID][1].ID) }, nil, readAll},
		{"GET /api/customers/:id/activities (other manager's)", "GET", func(w *world) string { return path("/api/customers/%d/activities", w.own[w.m2.ID][0].ID) }, nil, ownOnly},
		{"POST /api/customers/:id/transition (own)", "POST", func(w *world) string { return path("/api/customers/%d/transition", w.own[w.m1.ID][0].ID) },
			func(*world, string) any {
				return map[string]any{"to": "lost", "reason": "客户已与竞争对手续约"}
			}, workFunnel(ok)},
		{"POST /api/customers/:id/transition (other manager's)", "POST", func(w *world) string { return path("/api/customers/%d/transition", w.own[w.m2.ID][0].ID) },
			func(*world, string) any { return map[string]any{"to": "lost", "reason": "matrix"} }, adminOnly(ok)},
		{"GET /api/customers/:id/transitions (own)", "GET", func(w *world) string { return path("/api/customers/%d/transitions", w.own[w.m1.ID][0].ID) }, nil, readAll},
		{"GET /api/customers/:id/transitions (other manager's)", "GET", func(w *world) string { return path("/api/customers/%d/transitions", w.own[w.m2.ID][0].ID) }, nil, ownOnly},
		{"GET /api/funnel/list?manager_id=(self)", "GET", func(w *world) string { return path("/api/funnel/list?manager_id=%d", w.m1.ID) }, nil, readAll},
		{"GET /api/funnel/list?manager_id=(other manager)", "GET", func(w *world) string { return path("/api/funnel/list?manager_id=%d", w.m2.ID) }, nil, ownOnly},
		{"GET /api/funnel/pool?grid_id=(own grid)", "GET", func(w *world) string { return path("/api/funnel/pool?grid_id=%d", w.g1.ID) }, nil, readAll},
		{"GET /api/funnel/pool?grid_id=(other grid)", "GET", func(w *world) string { return path("/api/funnel/pool?grid_id=%d", w.g2.ID) }, nil, ownOnly},
		{"GET /api/funnel/metrics?level=manager&id=(self)", "GET", func(w *world) string { return path("/api/funnel/metrics?level=manager&id=%d", w.m1.ID) }, nil, readAll},
		{"GET /api/funnel/metrics?level=manager&id=(other manager)", "GET", func(w *world) string { return path("/api/funnel/metrics?level=manager&id=%d", w.m2.ID) }, nil, ownOnly},
		{"GET /api/funnel/metrics?level=grid&id=(own grid)", "GET", func(w *world) string { return path("/api/funnel/metrics?level=grid&id=%d", w.g1.ID) }, nil, readAll},
		{"GET /api/funnel/metrics?level=district&id=", "GET", func(w *world) string { return path("/api/funnel/metrics?level=district&id=%d", w.d1.ID) }, nil, ownOnly},
		{"GET /api/funnel/metrics?level=province", "GET", fixed("/api/funnel/metrics?level=province"), nil, ownOnly},
		{"GET /api/funnel/config", "GET", fixed("/api/funnel/config"), nil, readAll},
		{"PUT /api/funnel/config", "PUT", fixed("/api/funnel/config"), func(*world, string) any { return funnel.DefaultConfig() }, adminOnly(ok)},
		{"POST /api/funnel/lapse", "POST", fixed("/api/funnel/lapse"), nil, adminOnly(ok)},
		{"POST /api/balance/proposals", "POST", fixed("/api/balance/proposals"), func(w *world, _ string) any { return map[string]any{"grid_id": w.g1.ID} }, editGrid(ok)},
		{"POST /api/balance/accept", "POST", fixed("/api/balance/accept"), func(w *world, _ string) any {
			return map[string]any{"changes": []map[string]any{{"customer_id": matrixFunnel(w).pool.ID, "from": 0, "to": w.m1.ID}}}
		}, editGrid(ok)},
		{"GET /api/managers/:id/route (self)", "GET", func(w *world) string { return path("/api/managers/%d/route?budget=2h", w.m1.ID) }, nil, readAll},
		{"GET /api/managers/:id/route (other manager)", "GET", func(w *world) string { return path("/api/managers/%d/route?budget=2h", w.m2.ID) }, nil, ownOnly},
		{"GET /api/managers/:id/week (self)", "GET", func(w *world) string { return path("/api/managers/%d/week?days=2", w.m1.ID) }, nil, readAll},
		{"GET /api/managers/:id/week (other manager)", "GET", func(w *world) string { return path("/api/managers/%d/week?days=2", w.m2.ID) }, nil, ownOnly},
		{"GET /api/search?q=", "GET", fixed("/api/search?q=XH"), nil, readAll},
		{"GET /api/openapi.json", "GET", fixed("/api/openapi.json"), nil, [5]int{ok, ok, ok, ok, ok}},
		{"POST /api/logout", "POST", fixed("/api/logout"), nil, [5]int{unauth, gone, gone, gone, gone}},
	}
)

// TestRoleMatrix calls every endpoint and method as every role, each role
// on a fresh world, and checks the status codes. The same table renders
// README-matrix.md (go test ./web -run TestRoleMatrix -update-matrix) and is
// printed with -v.
func TestRoleMatrix(t *testing.T) {
	got := make([][5]int, len(matrixRows))
	for ri, role := range matrixRoles {
		t.Run(role.name, func(t *testing.T) {
			w := newWorld(t)
			for i, row := range matrixRows {
				var body any
				if row.body != nil {
					body = row.body(w, role.name)
				}
				rec := w.do(t, request{Method: row.method, Path: row.path(w), Body: body, ContentType: matrixContentType[row.show], Cookie: w.session(t, role.user)})
				got[i][ri] = rec.Code
				if rec.Code != row.want[ri] {
					t.Errorf("%s as %s: status %d, want %d; body %s", row.show, role.name, rec.Code, row.want[ri], rec.Body)
				}
				if rec.Code >= 400 {
					wantError(t, rec, rec.Code, codeFor(rec.Code), "")
				}
			}
			waitImports(t, w) // the POST's background import must end before the store closes
		})
	}
	md := matrixMarkdown()
	t.Log("\n" + md)
	const file = "README-matrix.md"
	if *updateMatrix {
		if err := os.WriteFile(file, []byte(md), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	onDisk, err := os.ReadFile(file)
	if err != nil || string(onDisk) != md {
		t.Errorf("%s is out of date with the matrix; run go test ./web -run TestRoleMatrix -update-matrix", file)
	}
}

func codeFor(status int) string {
	switch status {
	case unauth:
		return "unauthorized"
	case forbid:
		return "forbidden"
	}
	return fmt.Sprint(status)
}

// matrixMarkdown renders the expected matrix (the test fails if reality
// differs, so this is also what the router does).
func matrixMarkdown() string {
	var b strings.Builder
	b.WriteString("# gridplan API: role × endpoint matrix\n\n")
	b.WriteString("Generated by `go test ./web -run TestRoleMatrix -update-matrix` from the table in\n")
	b.WriteString("`web/policy_test.go`; the test fails when the router answers otherwise or this file is stale.\n")
	b.WriteString("The manager column is customer manager m001 (login zhang) of grid XH-01; his teammate m002\n")
	b.WriteString("works the same grid, m003 another grid in the other district. The policy itself is the\n")
	b.WriteString("`Policy` table in `web/policy.go`.\n\n")
	b.WriteString("| request |")
	for _, r := range matrixRoles {
		b.WriteString(" " + r.name + " |")
	}
	b.WriteString("\n|---|")
	for range matrixRoles {
		b.WriteString("---|")
	}
	b.WriteString("\n")
	for _, row := range matrixRows {
		fmt.Fprintf(&b, "| `%s` |", row.show)
		for _, s := range row.want {
			fmt.Fprintf(&b, " %d |", s)
		}
		b.WriteString("\n")
	}
	b.WriteString("\n401 = no or expired session, 403 = the role may not, 201/204 = created/deleted,\n202 = accepted (the import runs in the background).\n")
	return b.String()
}

// TestPolicyTable pins the policy itself, independent of routes.
func TestPolicyTable(t *testing.T) {
	tests := []struct {
		role  string
		scope map[Action]Scope
	}{
		{"admin", map[Action]Scope{ReadMap: ScopeAll, ReadManagers: ScopeAll, ReadCustomers: ScopeAll, EditGrids: ScopeAll, ManageUsers: ScopeAll, ImportCustomers: ScopeAll,
			ReadPlans: ScopeAll, EditPlans: ScopeAll, ApprovePlans: ScopeAll, EditResources: ScopeAll, ReadCoverage: ScopeAll,
			ReadFunnel: ScopeAll, WorkFunnel: ScopeAll, ConfigureFunnel: ScopeAll, BalanceLists: ScopeAll, ReadRoutes: ScopeAll}},
		{"planner", map[Action]Scope{ReadMap: ScopeAll, ReadManagers: ScopeAll, ReadCustomers: ScopeAll, EditGrids: ScopeAll, ManageUsers: ScopeNone, ImportCustomers: ScopeAll,
			ReadPlans: ScopeAll, EditPlans: ScopeAll, ApprovePlans: ScopeNone, EditResources: ScopeAll, ReadCoverage: ScopeAll, ReadFunnel: ScopeAll,
			BalanceLists: ScopeAll, ReadRoutes: ScopeAll}},
		{"leader", map[Action]Scope{ReadMap: ScopeAll, ReadManagers: ScopeAll, ReadCustomers: ScopeAll, EditGrids: ScopeNone, ManageUsers: ScopeNone,
			ReadPlans: ScopeAll, EditPlans: ScopeNone, ApprovePlans: ScopeAll, ReadCoverage: ScopeAll, ReadFunnel: ScopeAll, ReadRoutes: ScopeAll}},
		{"manager", map[Action]Scope{ReadMap: ScopeAll, ReadManagers: ScopeOwn, ReadCustomers: ScopeOwn, EditGrids: ScopeNone, ManageUsers: ScopeNone,
			ReadFunnel: ScopeOwn, WorkFunnel: ScopeOwn, ReadRoutes: ScopeOwn}},
		{"unknown", map[Action]Scope{ReadMap: ScopeNone, ReadManagers: ScopeNone, ReadCustomers: ScopeNone, EditGrids: ScopeNone, ManageUsers: ScopeNone}},
	}
	for _, tt := range tests {
		t.Run(tt.role, func(t *testing.T) {
			for _, a := range Actions {
				if got := Policy[territoryRole(tt.role)][a]; got != tt.scope[a] {
					t.Errorf("%s %s: scope %s, want %s", tt.role, a, got, tt.scope[a])
				}
			}
		})
	}
}

func territoryRole(s string) territory.Role { return territory.Role(s) }

// funnelFixture is what the funnel rows of the matrix act on, seeded once
// per world: a target customer in the pool of XH-01 (zhang's grid), a
// customer on zhang's list with an active claim, one on li's, and an open
// follow-up on each of the two.
type funnelFixture struct {
	pool, claimed, others       *territory.Customer
	ownFollowUp, othersFollowUp *funnel.FollowUp
}

var matrixFunnels sync.Map // *world → *funnelFixture

func matrixFunnel(w *world) *funnelFixture {
	if f, ok := matrixFunnels.Load(w); ok {
		return f.(*funnelFixture)
	}
	ctx := context.Background()
	add := func(owner int64, stage funnel.Stage, ext string) *territory.Customer {
		c := w.g1.Boundary.Bound().Center()
		cu := &territory.Customer{ExternalID: ext, Name: "矩阵漏斗 " + ext, Address: "文二路 8 号", Location: orb.Point{c[0] - 0.004, c[1] - 0.004},
			GridID: w.g1.ID, Carrier: territory.CarrierCompetitor, Stage: stage, OwnerID: owner}
		cu.Normalize()
		if err := w.store.CreateCustomer(ctx, cu); err != nil {
			panic(err)
		}
		if owner != 0 {
			now := w.clock.Now()
			if err := w.store.CreateClaim(ctx, &funnel.Claim{CustomerID: cu.ID, ManagerID: owner, Status: funnel.ClaimActive, ClaimedAt: now, LastActivityAt: now}); err != nil {
				panic(err)
			}
		}
		return cu
	}
	f := &funnelFixture{pool: add(0, funnel.Target, "MF-POOL"), claimed: add(w.m1.ID, funnel.List, "MF-ZHANG"), others: add(w.m2.ID, funnel.List, "MF-LI")}
	followUp := func(cu *territory.Customer) *funnel.FollowUp {
		fu := &funnel.FollowUp{CustomerID: cu.ID, ManagerID: cu.OwnerID, Due: w.clock.Now().AddDate(0, 0, 7), Reason: "矩阵回访"}
		if err := w.store.CreateFollowUp(ctx, fu); err != nil {
			panic(err)
		}
		return fu
	}
	f.ownFollowUp, f.othersFollowUp = followUp(f.claimed), followUp(f.others)
	matrixFunnels.Store(w, f)
	return f
}
