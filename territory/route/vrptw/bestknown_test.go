package vrptw

import (
	"errors"
	"strings"
	"testing"
)

func TestReadBestKnown(t *testing.T) {
	const table = "instance\tcustomers\tbks_vehicles\tbks_distance\tmin_distance_vehicles\tmin_distance\n" +
		"R101\t100\t19\t1645.79\t20\t1642.88\n\n"
	rows, err := ReadBestKnown(strings.NewReader(table))
	if err != nil {
		t.Fatal(err)
	}
	want := BestKnown{Instance: "R101", Vehicles: 19, Distance: 1645.79, MinDistanceVehicles: 20, MinDistance: 1642.88}
	if len(rows) != 1 || rows[0] != want {
		t.Errorf("got %+v, want %+v", rows, want)
	}
	for _, bad := range []struct{ text, want string }{
		{"", "empty table"},
		{"instance\tbks_vehicles\n", `no column "bks_distance"`},
		{"instance\tbks_vehicles\tbks_distance\tmin_distance_vehicles\tmin_distance\nR1\t19\tx\t20\t1\n", `line 2: bks_distance: "x" is not a number`},
		{"instance\tbks_vehicles\tbks_distance\tmin_distance_vehicles\tmin_distance\nR1\t19\t1\n", "line 2: min_distance_vehicles: missing"},
	} {
		_, err := ReadBestKnown(strings.NewReader(bad.text))
		var pe *ParseError
		if !errors.As(err, &pe) || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%q: err = %v, want %q", bad.text, err, bad.want)
		}
	}
}
