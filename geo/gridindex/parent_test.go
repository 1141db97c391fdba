package gridindex

import (
	"math/rand/v2"
	"testing"

	h3 "github.com/uber/h3-go/v4"
)

// parentOf must agree with h3's own Parent for cells all over the globe and
// every resolution pair.
func TestParentOfMatchesH3(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for range 2000 {
		ll := h3.LatLng{Lat: rng.Float64()*170 - 85, Lng: rng.Float64()*360 - 180}
		res := 1 + rng.IntN(15)
		c := h3.LatLngToCell(ll, res)
		for pr := 0; pr <= res; pr++ {
			if got, want := parentOf(uint64(c), pr), uint64(c.Parent(pr)); got != want {
				t.Fatalf("parentOf(%v, %d) = %x, h3 says %x", c, pr, got, want)
			}
		}
	}
}
