package snapshot

import (
	"math"

	"gridplan/territory"
)

// hash is a word-wise FNV-1a over the customers' map facts: deterministic
// (unlike hash/maphash, whose seed differs per process), so two replicas or
// two runs with the same data get the same Revision.
type hash struct{ h uint64 }

func newHash() hash { return hash{h: 14695981039346656037} }

func (h *hash) word(w uint64) {
	h.h ^= w
	h.h *= 1099511628211
}

// add mixes in one customer; the walk's id order makes the sum a function
// of the set.
func (h *hash) add(l territory.CustomerLocation) {
	h.word(uint64(l.ID))
	h.word(math.Float64bits(l.Location[0]))
	h.word(math.Float64bits(l.Location[1]))
	h.word(uint64(l.Cell))
	h.word(uint64(l.GridID))
	h.word(uint64(l.OwnerID))
	for i := 0; i < len(l.Stage); i++ {
		h.word(uint64(l.Stage[i]))
	}
	h.word(0xFF) // ends the stage
}

func (h *hash) sum() uint64 { return h.h }
