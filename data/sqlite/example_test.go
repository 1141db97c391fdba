package sqlite_test

import (
	"context"
	"fmt"
	"log"

	"github.com/paulmach/orb"

	"gridplan/data/sqlite"
	"gridplan/territory"
)

// Open a store, migrate it, and write a district. A product run would pass
// sqlite.DefaultPath instead of ":memory:".
func ExampleOpen() {
	ctx := context.Background()
	s, err := sqlite.Open(ctx, ":memory:")
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()
	if err := s.Migrate(ctx); err != nil {
		log.Fatal(err)
	}
	xihu := func() *territory.District {
		return &territory.District{
			Code: "330106", Name: "西湖区", City: "杭州市", Province: "浙江省",
			Boundary: orb.MultiPolygon{{{{120.0, 30.1}, {120.2, 30.1}, {120.2, 30.3}, {120.0, 30.3}, {120.0, 30.1}}}},
		}
	}
	d := xihu()
	if err := s.CreateDistrict(ctx, d); err != nil {
		log.Fatal(err)
	}
	err = s.CreateDistrict(ctx, xihu()) // the code is taken
	fmt.Println(d.ID, s.Dialect())
	fmt.Println(err)
	// Output:
	// 1 sqlite
	// district code "330106" already exists
}
