package route

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/paulmach/orb"
)

// OSRM is a Matrix backed by the table service of an OSRM server
// (GET {URL}/table/v1/{profile}/{lon,lat;…}?annotations=distance,duration).
// Pairs the server finds no path between (null in its matrices) are +Inf:
// the planner skips customers it cannot reach.
type OSRM struct {
	// URL is the server's base, e.g. http://127.0.0.1:5000.
	URL string
	// Profiles maps a travel mode to the server's profile; nil: walk →
	// foot, ebike → bike, car → driving (the names of OSRM's stock
	// profiles; a server prepared with one profile answers to any name).
	Profiles map[Mode]string
	// Client defaults to one with a 10 s timeout.
	Client *http.Client
	// MaxPoints bounds one request (OSRM's default max-table-size is 100).
	MaxPoints int
}

var _ Matrix = (*OSRM)(nil)

// Source is "osrm".
func (*OSRM) Source() string { return "osrm" }

// OSRMError is an answer of the server other than "Ok".
type OSRMError struct {
	Status  int    // HTTP status
	Code    string // e.g. InvalidQuery, NoSegment, TooBig
	Message string
}

func (e *OSRMError) Error() string {
	return fmt.Sprintf("osrm table: %s (HTTP %d): %s", e.Code, e.Status, e.Message)
}

// osrmTable is the part of a table response the planner reads.
type osrmTable struct {
	Code      string       `json:"code"`
	Message   string       `json:"message"`
	Durations [][]*float64 `json:"durations"`
	Distances [][]*float64 `json:"distances"`
}

var defaultProfiles = map[Mode]string{Walk: "foot", EBike: "bike", Car: "driving"}

// Table asks the server for the travel table between pts.
func (o *OSRM) Table(ctx context.Context, mode Mode, pts []orb.Point) (*Table, error) {
	n := len(pts)
	if n == 0 {
		return &Table{}, nil
	}
	max := o.MaxPoints
	if max <= 0 {
		max = 100
	}
	if n > max {
		return nil, &OSRMError{Code: "TooBig", Message: fmt.Sprintf("%d points, the server takes at most %d", n, max)}
	}
	profile := defaultProfiles[mode]
	if p, ok := o.Profiles[mode]; ok {
		profile = p
	}
	if profile == "" {
		profile = "driving"
	}
	var coords strings.Builder
	for i, p := range pts {
		if i > 0 {
			coords.WriteByte(';')
		}
		coords.WriteString(strconv.FormatFloat(p[0], 'f', 6, 64))
		coords.WriteByte(',')
		coords.WriteString(strconv.FormatFloat(p[1], 'f', 6, 64))
	}
	u := strings.TrimRight(o.URL, "/") + "/table/v1/" + url.PathEscape(profile) + "/" + coords.String() + "?annotations=distance,duration"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("osrm table: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	client := o.Client
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	res, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("osrm table: %w", err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(io.LimitReader(res.Body, 64<<20))
	if err != nil {
		return nil, fmt.Errorf("osrm table: read the answer: %w", err)
	}
	var out osrmTable
	if err := json.Unmarshal(body, &out); err != nil {
		return nil, &OSRMError{Status: res.StatusCode, Code: "BadResponse", Message: fmt.Sprintf("not an OSRM answer: %.120q", body)}
	}
	if out.Code != "Ok" || res.StatusCode != http.StatusOK {
		code := out.Code
		if code == "" {
			code = "HTTP" + strconv.Itoa(res.StatusCode)
		}
		return nil, &OSRMError{Status: res.StatusCode, Code: code, Message: out.Message}
	}
	if len(out.Durations) != n {
		return nil, &OSRMError{Status: res.StatusCode, Code: "BadResponse", Message: fmt.Sprintf("%d rows of durations for %d points", len(out.Durations), n)}
	}
	t := &Table{Dur: square(n), Dist: square(n)}
	for i := range n {
		if len(out.Durations[i]) != n || (out.Distances != nil && len(out.Distances[i]) != n) {
			return nil, &OSRMError{Status: res.StatusCode, Code: "BadResponse", Message: fmt.Sprintf("row %d has the wrong length", i)}
		}
		for j := range n {
			d := out.Durations[i][j]
			if i == j {
				continue // 0: staying put
			}
			if d == nil {
				t.Dur[i][j], t.Dist[i][j] = inf(), inf()
				continue
			}
			t.Dur[i][j] = *d
			switch {
			case out.Distances == nil:
				t.Dist[i][j] = 0
			case out.Distances[i][j] == nil:
				t.Dist[i][j] = inf()
			default:
				t.Dist[i][j] = *out.Distances[i][j]
			}
		}
	}
	return t, nil
}
