package demo

import (
	"strings"
	"testing"
)

// CountGrids agrees with Generate, with and without Options.Grids, and
// Options.Grids moves the count while the default city stays as it was.
func TestCountGrids(t *testing.T) {
	tests := []struct {
		name     string
		opts     Options
		min, max int
	}{
		// A small city keeps room for its districts: more than 4000/200.
		{"default scale", Options{Seed: 1, Customers: 4000, Now: testNow}, 40, 55},
		{"more grids", Options{Seed: 1, Customers: 4000, Grids: 120, Now: testNow}, 100, 130},
		{"fewer grids", Options{Seed: 2, Customers: 30000, Grids: 60, Now: testNow}, 60, 90}, // 150 by default
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := CountGrids(tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			city, err := Generate(tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if n != len(city.Grids) {
				t.Fatalf("CountGrids = %d, Generate made %d", n, len(city.Grids))
			}
			if n < tt.min || n > tt.max {
				t.Fatalf("%d grids, want %d–%d", n, tt.min, tt.max)
			}
			if len(city.Customers) != tt.opts.Customers {
				t.Fatalf("%d customers, want %d", len(city.Customers), tt.opts.Customers)
			}
		})
	}
	for _, g := range []int{-1, MaxGrids + 1} {
		if _, err := CountGrids(Options{Customers: 100, Grids: g, Now: testNow}); err == nil || !strings.Contains(err.Error(), "grids") {
			t.Errorf("CountGrids with grids %d: %v", g, err)
		}
		if _, err := Generate(Options{Customers: 100, Grids: g, Now: testNow}); err == nil || !strings.Contains(err.Error(), "grids") {
			t.Errorf("Generate with grids %d: %v", g, err)
		}
	}
}
