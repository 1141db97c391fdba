package storetest

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"gridplan/funnel"
	"gridplan/territory"
)

// Must fails tb when err is not nil, naming what was being done.
func Must(tb testing.TB, err error, what string) {
	tb.Helper()
	if err != nil {
		tb.Fatalf("%s: %v", what, err)
	}
}

// WantField fails tb unless err is (or wraps) a *territory.FieldError on field.
func WantField(tb testing.TB, err error, field string) {
	tb.Helper()
	var fe *territory.FieldError
	if !errors.As(err, &fe) {
		tb.Fatalf("got error %v (%T), want a *territory.FieldError on %q", err, err, field)
	}
	if fe.Field != field {
		tb.Fatalf("got FieldError on %q (%v), want one on %q", fe.Field, err, field)
	}
	if !errors.Is(err, territory.ErrInvalid) {
		tb.Fatalf("error %v does not match territory.ErrInvalid", err)
	}
}

// WantFunnelField fails tb unless err is (or wraps) a *funnel.FieldError on field.
func WantFunnelField(tb testing.TB, err error, field string) {
	tb.Helper()
	var fe *funnel.FieldError
	if !errors.As(err, &fe) {
		tb.Fatalf("got error %v (%T), want a *funnel.FieldError on %q", err, err, field)
	}
	if fe.Field != field {
		tb.Fatalf("got FieldError on %q (%v), want one on %q", fe.Field, err, field)
	}
}

// WantConflict fails tb unless err is a *territory.ConflictError whose
// message mentions each of mentions.
func WantConflict(tb testing.TB, err error, mentions ...string) {
	tb.Helper()
	var ce *territory.ConflictError
	if !errors.As(err, &ce) || !errors.Is(err, territory.ErrConflict) {
		tb.Fatalf("got error %v (%T), want a *territory.ConflictError", err, err)
	}
	for _, m := range mentions {
		if !strings.Contains(err.Error(), m) {
			tb.Errorf("conflict message %q does not mention %q", err.Error(), m)
		}
	}
}

// WantNotFound fails tb unless errors.Is(err, territory.ErrNotFound).
func WantNotFound(tb testing.TB, err error) {
	tb.Helper()
	if !errors.Is(err, territory.ErrNotFound) {
		tb.Fatalf("got error %v, want territory.ErrNotFound", err)
	}
}

// SameTime fails tb unless got is the same instant as want, in time.UTC.
func SameTime(tb testing.TB, what string, got, want time.Time) {
	tb.Helper()
	if !got.Equal(want) {
		tb.Errorf("%s = %s, want %s", what, got.Format(time.RFC3339Nano), want.Format(time.RFC3339Nano))
	}
	if got.Location() != time.UTC {
		tb.Errorf("%s is in %v, want UTC", what, got.Location())
	}
}

// stamped fails tb unless got is a non-zero UTC time with no sub-microsecond part.
func stamped(tb testing.TB, what string, got time.Time) {
	tb.Helper()
	if got.IsZero() {
		tb.Errorf("%s is zero, want it set by the store", what)
		return
	}
	if got.Location() != time.UTC {
		tb.Errorf("%s is in %v, want UTC", what, got.Location())
	}
	if got.Nanosecond()%1000 != 0 {
		tb.Errorf("%s = %s has a sub-microsecond part", what, got.Format(time.RFC3339Nano))
	}
	if d := time.Since(got); d < -time.Minute || d > time.Hour {
		tb.Errorf("%s = %s is not about now", what, got)
	}
}

// sameValue fails tb unless got and want are deeply equal.
func sameValue(tb testing.TB, what string, got, want any) {
	tb.Helper()
	if !reflect.DeepEqual(got, want) {
		tb.Errorf("%s:\n got  %+v\n want %+v", what, got, want)
	}
}

func sameDistrict(tb testing.TB, got, want *territory.District) {
	tb.Helper()
	sameValue(tb, "district", *got, *want)
}

func sameGrid(tb testing.TB, got, want *territory.Grid) {
	tb.Helper()
	SameTime(tb, "grid.UpdatedAt", got.UpdatedAt, want.UpdatedAt)
	g, w := *got, *want
	g.UpdatedAt, w.UpdatedAt = time.Time{}, time.Time{}
	sameValue(tb, "grid", g, w)
}

func sameManager(tb testing.TB, got, want *territory.Manager) {
	tb.Helper()
	sameValue(tb, "manager", *got, *want)
}

func sameCustomer(tb testing.TB, got, want *territory.Customer) {
	tb.Helper()
	SameTime(tb, "customer.CreatedAt", got.CreatedAt, want.CreatedAt)
	SameTime(tb, "customer.UpdatedAt", got.UpdatedAt, want.UpdatedAt)
	g, w := *got, *want
	g.CreatedAt, w.CreatedAt, g.UpdatedAt, w.UpdatedAt = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	sameValue(tb, "customer", g, w)
}

func sameResource(tb testing.TB, got, want *territory.Resource) {
	tb.Helper()
	if (got.ExpectedDate == nil) != (want.ExpectedDate == nil) {
		tb.Errorf("resource.ExpectedDate = %v, want %v", got.ExpectedDate, want.ExpectedDate)
	} else if got.ExpectedDate != nil {
		SameTime(tb, "resource.ExpectedDate", *got.ExpectedDate, *want.ExpectedDate)
	}
	g, w := *got, *want
	g.ExpectedDate, w.ExpectedDate = nil, nil
	sameValue(tb, "resource", g, w)
}

func sameUser(tb testing.TB, got, want *territory.User) {
	tb.Helper()
	SameTime(tb, "user.CreatedAt", got.CreatedAt, want.CreatedAt)
	g, w := *got, *want
	g.CreatedAt, w.CreatedAt = time.Time{}, time.Time{}
	sameValue(tb, "user", g, w)
}

func sameClaim(tb testing.TB, got, want *funnel.Claim) {
	tb.Helper()
	SameTime(tb, "claim.ClaimedAt", got.ClaimedAt, want.ClaimedAt)
	SameTime(tb, "claim.LastActivityAt", got.LastActivityAt, want.LastActivityAt)
	if (got.EndedAt == nil) != (want.EndedAt == nil) {
		tb.Errorf("claim.EndedAt = %v, want %v", got.EndedAt, want.EndedAt)
	} else if got.EndedAt != nil {
		SameTime(tb, "claim.EndedAt", *got.EndedAt, *want.EndedAt)
	}
	g, w := *got, *want
	g.ClaimedAt, w.ClaimedAt, g.LastActivityAt, w.LastActivityAt = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	g.EndedAt, w.EndedAt = nil, nil
	sameValue(tb, "claim", g, w)
}

func sameActivity(tb testing.TB, got, want *funnel.Activity) {
	tb.Helper()
	SameTime(tb, "activity.At", got.At, want.At)
	g, w := *got, *want
	g.At, w.At = time.Time{}, time.Time{}
	if len(g.Signals) == 0 && len(w.Signals) == 0 {
		g.Signals, w.Signals = nil, nil
	}
	sameValue(tb, "activity", g, w)
}

// ids returns the ids of xs, in order.
func ids[T any](xs []T, id func(T) int64) []int64 {
	out := make([]int64, len(xs))
	for i, x := range xs {
		out[i] = id(x)
	}
	return out
}

func customerIDs(cs []*territory.Customer) []int64 {
	return ids(cs, func(c *territory.Customer) int64 { return c.ID })
}

// increasing fails tb unless xs is strictly increasing.
func increasing(tb testing.TB, what string, xs []int64) {
	tb.Helper()
	for i := 1; i < len(xs); i++ {
		if xs[i] <= xs[i-1] {
			tb.Fatalf("%s not in increasing id order at %d: %v", what, i, xs)
		}
	}
}

func wantFunnelNotFound(tb testing.TB, err error) {
	tb.Helper()
	if !errors.Is(err, funnel.ErrNotFound) {
		tb.Fatalf("got error %v, want funnel.ErrNotFound", err)
	}
}

func wantFunnelConflict(tb testing.TB, err error) {
	tb.Helper()
	if !errors.Is(err, funnel.ErrConflict) {
		tb.Fatalf("got error %v, want funnel.ErrConflict", err)
	}
}

// count returns how many customers match f, failing tb on error.
func count(tb testing.TB, s interface {
	CountCustomers(ctx context.Context, f territory.CustomerFilter) (int, error)
}, f territory.CustomerFilter) int {
	tb.Helper()
	n, err := s.CountCustomers(context.Background(), f)
	Must(tb, err, "count customers")
	return n
}
