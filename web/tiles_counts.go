package web

import (
	"context"
	"fmt"

	"github.com/paulmach/orb/geojson"

	"gridplan/territory"
	"gridplan/territory/snapshot"
)

// gridCounts are the counts GET /api/grids adds to each grid feature:
// customers from the customer snapshot (which includes this process's own
// writes), managers from the store.
type gridCounts struct {
	snap     *snapshot.Snapshot
	managers map[int64]int
}

// gridCounts reads the counts of grid gridID, or of every grid when gridID
// is 0.
func (s *server) gridCounts(ctx context.Context, gridID int64) (*gridCounts, error) {
	snap, err := s.customerSnapshot(ctx)
	if err != nil {
		return nil, err
	}
	ms, err := s.Store.Managers(ctx, territory.ManagerFilter{GridID: gridID})
	if err != nil {
		return nil, fmt.Errorf("count managers: %w", err)
	}
	gc := &gridCounts{snap: snap, managers: make(map[int64]int)}
	for _, m := range ms {
		gc.managers[m.GridID]++
	}
	return gc, nil
}

// add sets the customer_count and manager_count properties of grid
// gridID's feature f and returns f.
func (gc *gridCounts) add(f *geojson.Feature, gridID int64) *geojson.Feature {
	f.Properties["customer_count"] = gc.snap.CustomerCount(gridID)
	f.Properties["manager_count"] = gc.managers[gridID]
	return f
}
