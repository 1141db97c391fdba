package data

import (
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"
)

func TestDecodeMultiPolygon(t *testing.T) {
	sq := orb.Polygon{{{0, 0}, {1, 0}, {1, 1}, {0, 1}, {0, 0}}}
	two := orb.MultiPolygon{sq, {{{2, 0}, {3, 0}, {3, 1}, {2, 0}}}}
	tests := []struct {
		name  string
		g     orb.Geometry
		parts int
		err   bool
	}{
		{"polygon", sq, 1, false},
		{"multipolygon", two, 2, false},
		{"point", orb.Point{1, 2}, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := wkb.Marshal(tt.g)
			if err != nil {
				t.Fatal(err)
			}
			mp, err := DecodeMultiPolygon(b)
			if (err != nil) != tt.err || len(mp) != tt.parts {
				t.Fatalf("DecodeMultiPolygon(%s) = %d parts, %v", tt.name, len(mp), err)
			}
		})
	}
	if _, err := DecodeMultiPolygon([]byte{1, 2, 3}); err == nil {
		t.Fatal("garbage decoded")
	}
}
