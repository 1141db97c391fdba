package funnel

import (
	"strings"
	"testing"
	"time"
)

func TestParseEvidenceDate(t *testing.T) {
	tests := []struct {
		in   string
		want time.Time
		ok   bool
	}{
		{"2026-10-30", time.Date(2026, 10, 30, 0, 0, 0, 0, time.UTC), true},
		{" 2026-02-28 ", time.Date(2026, 2, 28, 0, 0, 0, 0, time.UTC), true},
		{"2024-02-29", time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC), true},
		{"2026-02-29", time.Time{}, false},
		{"2026-1-30", time.Time{}, false},
		{"2026/10/30", time.Time{}, false},
		{"30.10.2026", time.Time{}, false},
		{"2026-10-30T00:00:00Z", time.Time{}, false},
		{"", time.Time{}, false},
	}
	for _, tt := range tests {
		got, err := ParseEvidenceDate(tt.in)
		if (err == nil) != tt.ok || !got.Equal(tt.want) {
			t.Errorf("ParseEvidenceDate(%q) = %v, %v; want %v (ok=%v)", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

// FuzzParseEvidenceDate: whatever it accepts is exactly one day, written
// back the same way (no lenient forms slip through).
func FuzzParseEvidenceDate(f *testing.F) {
	for _, s := range []string{"2026-10-30", " 2024-02-29", "2026-13-01", "0000-01-01", "2026-1-1", "２０２６-10-30"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseEvidenceDate(s)
		if err != nil {
			if !strings.Contains(err.Error(), "YYYY-MM-DD") {
				t.Fatalf("error %q does not show the format", err)
			}
			return
		}
		if got := d.Format(time.DateOnly); got != strings.TrimSpace(s) {
			t.Fatalf("%q parsed as %s", s, got)
		}
		if d.Location() != time.UTC || d.Hour() != 0 {
			t.Fatalf("%q parsed as %v, want midnight UTC", s, d)
		}
	})
}

// FuzzCheckTransition: any evidence either passes, is a FieldError on an
// evidence key, or is a refusal; never a panic or another error.
func FuzzCheckTransition(f *testing.F) {
	f.Add(4, 5, "activation_date", "2026-10-30", "", true)
	f.Add(1, 2, "budget_confirmed", "maybe", "x", false)
	f.Add(3, 1, "", "", " ", false)
	f.Fuzz(func(t *testing.T, from, to int, key, value, reason string, hasSignal bool) {
		pick := func(i int) Stage {
			if i < 0 {
				i = -i
			}
			return Stages[i%len(Stages)]
		}
		err := CheckTransition(nil, pick(from), pick(to), map[string]string{key: value}, reason, hasSignal, ruleNow)
		if err == nil {
			return
		}
		switch e := err.(type) {
		case *FieldError:
			if e.Field != "evidence."+key {
				t.Fatalf("field error on %q for key %q", e.Field, key)
			}
		case *TransitionError:
			if e.Error() == "" {
				t.Fatal("empty refusal")
			}
		default:
			t.Fatalf("unexpected error %T %v", err, err)
		}
	})
}

func TestMissingEvidence(t *testing.T) {
	got, err := MissingEvidence(nil, Potential, map[string]string{"decision_maker": "王总"}, false, ruleNow)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Key != "signal" || got[1].Key != "budget_confirmed" || got[1].LabelZH != "预算/支付能力已确认" {
		t.Errorf("missing %+v", got)
	}
	if got, _ := MissingEvidence(nil, List, nil, false, ruleNow); got != nil {
		t.Errorf("list has no checklist, got %+v", got)
	}
	if len(Checklist(nil, Potential)) != 3 || Checklist(&Config{Checklists: map[Stage][]Requirement{}}, Potential) != nil {
		t.Error("Checklist ignores the config")
	}
}
