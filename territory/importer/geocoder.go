package importer

import (
	"context"
	"fmt"

	"gridplan/geo/geocode"
)

// LoadGeocoder builds the offline geocoder over the gazetteer stored in gs
// and the extra entries (an OpenAddresses file, say), rejecting results
// coarser than min (0: any). With no entries at all it returns a nil
// Geocoder and no error: rows without coordinates are then rejected, each
// saying that nothing could place it.
func LoadGeocoder(ctx context.Context, gs geocode.GazetteerStore, extra []geocode.Entry, min geocode.Precision) (Geocoder, geocode.Stats, error) {
	b := geocode.NewBuilder()
	n := 0
	add := func(e geocode.Entry) error {
		if err := b.Add(e); err != nil {
			return fmt.Errorf("gazetteer entry %d (%s %s %s%s): %w", n+1, e.Source, e.Kind, e.Street, e.Name, err)
		}
		n++
		return nil
	}
	if gs != nil {
		if err := gs.GazetteerEntries(ctx, add); err != nil {
			return nil, geocode.Stats{}, fmt.Errorf("load gazetteer: %w", err)
		}
	}
	for _, e := range extra {
		if err := add(e); err != nil {
			return nil, geocode.Stats{}, fmt.Errorf("load gazetteer: %w", err)
		}
	}
	if n == 0 {
		return nil, geocode.Stats{}, nil
	}
	g := b.Build()
	gc, err := geocode.New(g, geocode.Options{MinPrecision: min})
	if err != nil {
		return nil, geocode.Stats{}, err
	}
	return gc, g.Stats(), nil
}
