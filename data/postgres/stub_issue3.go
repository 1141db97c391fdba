package postgres

// Placeholders so the tree compiles while the issue-3 store methods are
// written; this file is deleted when they land.

import (
	"context"
	"errors"

	"github.com/paulmach/orb"

	"gridplan/geo/geocode"
	"gridplan/territory"
)

var errNotYet = errors.New("not implemented yet")

func (s *Store) CustomersByExternalIDs(ctx context.Context, ids []string) (map[string]*territory.Customer, error) {
	return nil, errNotYet
}
func (s *Store) UpsertCustomers(ctx context.Context, cs []*territory.Customer, progress func(done int)) (territory.UpsertResult, error) {
	return territory.UpsertResult{}, errNotYet
}
func (s *Store) CustomerLocations(ctx context.Context, bound *orb.Bound, fn func(territory.CustomerLocation) error) error {
	return errNotYet
}
func (s *Store) MoveCustomers(ctx context.Context, moves []territory.GridMove) error {
	return errNotYet
}
func (s *Store) CreateJob(ctx context.Context, j *territory.Job) error     { return errNotYet }
func (s *Store) Job(ctx context.Context, id int64) (*territory.Job, error) { return nil, errNotYet }
func (s *Store) UpdateJob(ctx context.Context, j *territory.Job) error     { return errNotYet }
func (s *Store) Jobs(ctx context.Context, f territory.JobFilter) ([]*territory.Job, error) {
	return nil, errNotYet
}
func (s *Store) ReplaceGazetteer(ctx context.Context, source string, entries []geocode.Entry, progress func(done int)) error {
	return errNotYet
}
func (s *Store) GazetteerEntries(ctx context.Context, fn func(geocode.Entry) error) error {
	return errNotYet
}
