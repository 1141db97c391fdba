package postgres_test

import (
	"context"
	"fmt"
	"log"

	"gridplan/data"
	"gridplan/data/postgres"
	"gridplan/territory"
)

// Open does not migrate; a deployment runs Migrate once at start (several
// replicas may do so at once). Work that must land together goes in InTx.
func ExampleOpen() {
	ctx := context.Background()
	s, err := postgres.Open(ctx, "postgres://postgres@127.0.0.1:5432/test?sslmode=disable&search_path=gridplan")
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()
	if err := s.Migrate(ctx); err != nil {
		log.Fatal(err)
	}
	err = s.InTx(ctx, func(tx data.Store) error {
		grids, err := tx.Grids(ctx, territory.GridFilter{Status: territory.GridPublished})
		if err != nil {
			return err
		}
		for _, g := range grids {
			n, err := tx.CountCustomers(ctx, territory.CustomerFilter{GridID: g.ID})
			if err != nil {
				return fmt.Errorf("grid %s: %w", g.Code, err)
			}
			fmt.Println(g.Code, n)
		}
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}
}
