package geocode

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/paulmach/orb"
)

// DefaultNominatimInterval is the least time between two requests to a
// Nominatim server: the public server's usage policy allows one request
// per second.
const DefaultNominatimInterval = time.Second

// NominatimOptions configure a Nominatim client.
type NominatimOptions struct {
	// BaseURL of the server, e.g. https://nominatim.example.org (the
	// search endpoint is BaseURL + "/search"). Required: there is no
	// default, so that nothing leaves the machine unless configured.
	BaseURL string
	// UserAgent identifies the application, as the usage policy requires.
	// Required.
	UserAgent string
	// CountryCodes limit results to these ISO 3166-1 alpha-2 countries
	// ("cn", "im"); empty searches everywhere.
	CountryCodes []string
	// Email is sent as the email parameter when set (the policy asks for
	// it from bulk users).
	Email string
	// Interval is the least time between requests; 0 means
	// DefaultNominatimInterval, a negative value no limit (for a server of
	// one's own).
	Interval time.Duration
	// MinPrecision rejects coarser results with ErrTooCoarse, as for
	// Geocoder.
	MinPrecision Precision
	// Client makes the requests; nil means a client with a 10 s timeout.
	Client *http.Client
}

// Nominatim geocodes through an external server speaking the Nominatim
// search API (format=jsonv2). It is safe for concurrent use; requests are
// spaced by the configured interval whatever the number of callers.
type Nominatim struct {
	opts   NominatimOptions
	search *url.URL
	client *http.Client

	mu   sync.Mutex
	next time.Time // earliest time of the next request
}

// NewNominatim returns a client, checking the options.
func NewNominatim(opts NominatimOptions) (*Nominatim, error) {
	if strings.TrimSpace(opts.BaseURL) == "" {
		return nil, errors.New("nominatim options: base url: is required")
	}
	u, err := url.Parse(strings.TrimRight(opts.BaseURL, "/") + "/search")
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("nominatim options: base url: want an http(s) URL, got %q", opts.BaseURL)
	}
	if strings.TrimSpace(opts.UserAgent) == "" {
		return nil, errors.New("nominatim options: user agent: is required by the Nominatim usage policy")
	}
	for _, c := range opts.CountryCodes {
		if len(c) != 2 {
			return nil, fmt.Errorf("nominatim options: country codes: %q is not a two-letter code", c)
		}
	}
	if opts.MinPrecision != 0 && (opts.MinPrecision < PrecisionPoint || opts.MinPrecision > PrecisionDistrict) {
		return nil, fmt.Errorf("nominatim options: min precision: unknown precision %d", opts.MinPrecision)
	}
	if opts.Interval == 0 {
		opts.Interval = DefaultNominatimInterval
	}
	c := opts.Client
	if c == nil {
		c = &http.Client{Timeout: 10 * time.Second}
	}
	return &Nominatim{opts: opts, search: u, client: c}, nil
}

// nominatimPlace is one search result in format=jsonv2. Coordinates and
// ids come as strings or numbers depending on the server version.
type nominatimPlace struct {
	PlaceID     json.Number `json:"place_id"`
	OSMType     string      `json:"osm_type"`
	OSMID       json.Number `json:"osm_id"`
	Lat         json.Number `json:"lat"`
	Lon         json.Number `json:"lon"`
	Category    string      `json:"category"`
	Type        string      `json:"type"`
	PlaceRank   int         `json:"place_rank"`
	Importance  float64     `json:"importance"`
	AddressType string      `json:"addresstype"`
	Name        string      `json:"name"`
	DisplayName string      `json:"display_name"`
}

// wait blocks until this caller's turn, reserving the next slot.
func (n *Nominatim) wait(ctx context.Context) error {
	if n.opts.Interval < 0 {
		return nil
	}
	n.mu.Lock()
	now := time.Now()
	at := n.next
	if at.Before(now) {
		at = now
	}
	n.next = at.Add(n.opts.Interval)
	n.mu.Unlock()
	d := time.Until(at)
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Geocode asks the server for the address and returns its best result.
// Its precision comes from what the result is (a house or building: point;
// a shop, office or amenity: place; a road: road; anything larger:
// district); its confidence from that and the server's importance.
func (n *Nominatim) Geocode(ctx context.Context, addr string) (Result, error) {
	addr = strings.TrimSpace(addr)
	if addr == "" {
		return Result{}, ErrEmpty
	}
	if err := n.wait(ctx); err != nil {
		return Result{}, err
	}
	q := url.Values{}
	q.Set("q", addr)
	q.Set("format", "jsonv2")
	q.Set("limit", "1")
	q.Set("addressdetails", "0")
	if len(n.opts.CountryCodes) > 0 {
		q.Set("countrycodes", strings.ToLower(strings.Join(n.opts.CountryCodes, ",")))
	}
	if n.opts.Email != "" {
		q.Set("email", n.opts.Email)
	}
	u := *n.search
	u.RawQuery = q.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return Result{}, fmt.Errorf("nominatim: %w", err)
	}
	req.Header.Set("User-Agent", n.opts.UserAgent)
	req.Header.Set("Accept", "application/json")
	resp, err := n.client.Do(req)
	if err != nil {
		return Result{}, fmt.Errorf("nominatim: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return Result{}, fmt.Errorf("nominatim: read response: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return Result{}, fmt.Errorf("nominatim: server answered %s: %s", resp.Status, firstLine(body))
	}
	var places []nominatimPlace
	if err := json.Unmarshal(body, &places); err != nil {
		return Result{}, fmt.Errorf("nominatim: decode response: %w", err)
	}
	if len(places) == 0 {
		return Result{}, fmt.Errorf("%w: the server found nothing", ErrNotFound)
	}
	p := places[0]
	lat, err1 := strconv.ParseFloat(p.Lat.String(), 64)
	lon, err2 := strconv.ParseFloat(p.Lon.String(), 64)
	if err1 != nil || err2 != nil {
		return Result{}, fmt.Errorf("nominatim: result %s has bad coordinates lat=%q lon=%q", p.PlaceID, p.Lat, p.Lon)
	}
	pt := orb.Point{lon, lat}
	if err := validPoint("location", pt); err != nil {
		return Result{}, fmt.Errorf("nominatim: result %s: %w", p.PlaceID, err)
	}
	prec, conf := p.precision()
	if min := n.opts.MinPrecision; min != 0 && !prec.AtLeast(min) {
		return Result{}, fmt.Errorf("%w: found %s (%s), want %s or finer: the server's best match is a %s/%s", ErrTooCoarse, prec, p.DisplayName, min, p.Category, p.Type)
	}
	return Result{Location: pt, Precision: prec, Confidence: conf, Matched: p.DisplayName}, nil
}

// precision maps a Nominatim result to our precision and a confidence.
func (p *nominatimPlace) precision() (Precision, float64) {
	imp := p.Importance
	if imp <= 0 || imp > 1 {
		imp = 0.5
	}
	switch {
	case p.Type == "house" || p.AddressType == "building" || p.Category == "building" || p.AddressType == "house":
		return PrecisionPoint, round2(0.8 + 0.2*imp)
	case p.PlaceRank >= 28 || (p.PlaceRank == 0 && p.Category != "highway" && p.Category != "place" && p.Category != "boundary"):
		return PrecisionPlace, round2(0.7 + 0.2*imp)
	case p.Category == "highway" || p.PlaceRank == 26 || p.PlaceRank == 27:
		return PrecisionRoad, round2(0.4 + 0.2*imp)
	}
	return PrecisionDistrict, round2(0.2 + 0.2*imp)
}

func firstLine(b []byte) string {
	s := strings.TrimSpace(string(b))
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if len(s) > 200 {
		s = s[:200]
	}
	return s
}
