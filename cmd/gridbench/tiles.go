package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/cookiejar"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"gridplan/data"
	"gridplan/data/demo"
	"gridplan/data/postgres"
	"gridplan/data/sqlite"
	"gridplan/territory"
	"gridplan/web"
)

// tilesConfig is the tiles benchmark's flags.
type tilesConfig struct {
	customers int
	seed      uint64
	db        string
	bin       string
	inProcess bool
	rate      float64
	duration  time.Duration
	minZoom   int
	maxZoom   int
	inflight  int
	wrk       string
	wrkConns  int
	unique    bool
}

func tilesCmd(ctx context.Context, args []string, e env, stdout, stderr io.Writer) error {
	var c tilesConfig
	fs := flag.NewFlagSet("tiles", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, `Usage: gridbench tiles [flags]

Measures the customer tiles (GET /tiles/customers/{z}/{x}/{y}.mvt) under load:
loads the demo city of --customers businesses into --db (skipped when the
store already holds exactly that city), starts "gridplan serve" on it as a
child process (--bin, built from ./cmd/gridplan when not given), logs in as
the demo planner, and requests the tiles a map user would: views of
1280×800 pixels at zooms --min-zoom..--max-zoom centred on random businesses
(so dense areas are asked for more, as people look where the customers are),
every tile of each view. The load is open-loop at --rate requests per second
for --duration (latency counts from when each request was due, so a slow
server cannot hide its backlog), then, when wrk is installed, closed-loop
with wrk over the same URLs. It prints the latency percentiles and the
server's resident memory (VmRSS now, VmHWM peak, from /proc) and ends with
one line

  tiles customers=N requests=… rate=… p50_ms=… p99_ms=… errors=… rss_mb=… hwm_mb=…

Flags:
`)
		fs.PrintDefaults()
	}
	fs.IntVar(&c.customers, "customers", 1_000_000, "businesses in the demo city")
	fs.Uint64Var(&c.seed, "seed", 1, "random seed of the demo city and of the views")
	fs.StringVar(&c.db, "db", "", `store: "sqlite:PATH" or a postgres:// URL (default sqlite:./var/gridbench-tiles-N.db)`)
	fs.StringVar(&c.bin, "bin", "", "gridplan binary to serve with (default: go build ./cmd/gridplan into a temporary directory)")
	fs.BoolVar(&c.inProcess, "in-process", false, "serve from this process instead of a child (memory figures then include the load generator)")
	fs.Float64Var(&c.rate, "rate", 300, "requests per second of the open-loop load")
	fs.DurationVar(&c.duration, "duration", 30*time.Second, "how long each load runs")
	fs.IntVar(&c.minZoom, "min-zoom", 10, "lowest zoom of the views")
	fs.IntVar(&c.maxZoom, "max-zoom", 16, "highest zoom of the views")
	fs.IntVar(&c.inflight, "inflight", 256, "most requests in flight in the open-loop load")
	fs.StringVar(&c.wrk, "wrk", "wrk", `wrk binary for the closed-loop run ("" skips it; skipped when not installed)`)
	fs.IntVar(&c.wrkConns, "wrk-connections", 8, "connections of the wrk run")
	fs.BoolVar(&c.unique, "unique", false, "request every tile once (no repeats: every request misses the server's tile cache)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("tiles: unexpected arguments %q", fs.Args())
	}
	switch {
	case c.customers < 1 || c.customers > demo.MaxCustomers:
		return fmt.Errorf("--customers %d: want 1 to %d", c.customers, demo.MaxCustomers)
	case c.rate <= 0 || c.rate > 100_000:
		return fmt.Errorf("--rate %g: want more than 0 and at most 100000", c.rate)
	case c.duration <= 0:
		return fmt.Errorf("--duration %s: must be positive", c.duration)
	case c.minZoom < 0 || c.maxZoom > web.TileMaxZoom || c.minZoom > c.maxZoom:
		return fmt.Errorf("--min-zoom %d --max-zoom %d: want 0 ≤ min ≤ max ≤ %d", c.minZoom, c.maxZoom, web.TileMaxZoom)
	case c.inflight < 1:
		return fmt.Errorf("--inflight %d: must be positive", c.inflight)
	}
	if c.db == "" {
		c.db = fmt.Sprintf("sqlite:./var/gridbench-tiles-%d.db", c.customers)
	}
	return benchTiles(ctx, c, stdout, stderr)
}

// demoNow is the demo city's reference date in every benchmark.
var demoNow = time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)

func benchTiles(ctx context.Context, c tilesConfig, w, stderr io.Writer) error {
	t0 := time.Now()
	city, err := demo.Generate(demo.Options{Seed: c.seed, Customers: c.customers, Now: demoNow})
	if err != nil {
		return fmt.Errorf("generate demo city: %w", err)
	}
	centres := make([]orb.Point, len(city.Customers))
	for i, cu := range city.Customers {
		centres[i] = cu.Location
	}
	fmt.Fprintf(w, "demo city: %d businesses, %d grids, generated in %s\n", len(city.Customers), len(city.Grids), time.Since(t0).Round(time.Millisecond))
	fmt.Fprintf(w, "machine: %d CPUs, GOMAXPROCS %d; load average %s\n", runtime.NumCPU(), runtime.GOMAXPROCS(0), loadAvg())

	if err := ensureCity(ctx, c.db, city, w); err != nil {
		return err
	}
	city = nil
	runtime.GC()

	srv, err := startServer(ctx, c, w, stderr)
	if err != nil {
		return err
	}
	defer srv.stop()

	client, err := login(ctx, srv.url)
	if err != nil {
		return err
	}
	// The first tile waits for the snapshot: time it apart.
	start := time.Now()
	first := maptile.At(demo.Center, 10)
	if _, _, err := fetch(ctx, client, fmt.Sprintf("%s/tiles/customers/%d/%d/%d.mvt", srv.url, first.Z, first.X, first.Y)); err != nil {
		return fmt.Errorf("first tile: %w", err)
	}
	fmt.Fprintf(w, "first tile (builds the customer snapshot): %s\n", time.Since(start).Round(time.Millisecond))
	mem0 := srv.memory()
	fmt.Fprintf(w, "server memory after the snapshot: VmRSS %d MB, VmHWM %d MB\n", mem0.rss>>20, mem0.hwm>>20)

	rng := rand.New(rand.NewPCG(c.seed, 0x7113))
	urls := viewURLs(rng, centres, c.minZoom, c.maxZoom, int(c.rate*c.duration.Seconds())+1, c.unique)
	fmt.Fprintf(w, "open-loop load: %.0f requests/s for %s over %d tile URLs (zooms %d–%d, 1280×800 views)\n", c.rate, c.duration, len(urls), c.minZoom, c.maxZoom)
	cpu0, hist0 := procCPU(srv.pid), tileHistogram(ctx, client, srv.url)
	res := openLoop(ctx, client, srv.url, urls, c.rate, c.inflight, srv.memory)
	cpu, hist := procCPU(srv.pid)-cpu0, tileHistogram(ctx, client, srv.url)
	mem := srv.memory()
	fmt.Fprintf(w, "  sent %d in %s = %.0f/s; %d errors; %d bytes per tile on average; %.0f%% from the server's tile cache\n", res.n, res.took.Round(time.Millisecond), float64(res.n)/res.took.Seconds(), res.errors, res.bytes/int64(max(1, res.n-res.errors)), 100*float64(res.hits)/float64(max(1, res.n)))
	fmt.Fprintf(w, "  server CPU: %s = %.0f%% of one core, %.2f ms per request (the machine's load average now %s)\n",
		cpu.Round(10*time.Millisecond), 100*cpu.Seconds()/res.took.Seconds(), msf(cpu)/float64(max(1, res.n)), loadAvg())
	fmt.Fprintf(w, "  latency from when due: p50 %s  p90 %s  p99 %s  max %s\n", ms(res.pct(50)), ms(res.pct(90)), ms(res.pct(99)), ms(res.pct(100)))
	if hist != nil && hist0 != nil {
		// The server's own view (its request-duration histogram): time
		// from the request read to the response written, without the
		// client's and the kernel's queues.
		var parts []string
		total := hist["+Inf"] - hist0["+Inf"]
		for _, le := range []string{"0.005", "0.01", "0.025", "0.05", "0.1", "0.25"} {
			parts = append(parts, fmt.Sprintf("≤%gms %.2f%%", must(strconv.ParseFloat(le, 64))*1000, 100*(hist[le]-hist0[le])/max(1, total)))
		}
		fmt.Fprintf(w, "  server-side (its histogram, %.0f requests): %s\n", total, strings.Join(parts, "  "))
	}
	for _, z := range slices.Sorted(mapsKeys(res.byZoom)) {
		d := res.byZoom[z]
		fmt.Fprintf(w, "  z%-2d %6d requests  p50 %s  p99 %s\n", z, len(d), ms(pctOf(d, 50)), ms(pctOf(d, 99)))
	}
	fmt.Fprintf(w, "  server memory: VmRSS %d MB (peak during the run %d MB), VmHWM %d MB\n", mem.rss>>20, res.peakRSS>>20, mem.hwm>>20)

	if c.wrk != "" {
		if path, err := exec.LookPath(c.wrk); err == nil {
			if err := runWrk(ctx, path, srv.url, client, urls, c, w); err != nil {
				fmt.Fprintf(w, "wrk: %v\n", err)
			}
			mem = srv.memory()
			fmt.Fprintf(w, "  server memory after wrk: VmRSS %d MB, VmHWM %d MB\n", mem.rss>>20, mem.hwm>>20)
		} else {
			fmt.Fprintf(w, "wrk: not installed (apt-get install -y wrk), closed-loop run skipped\n")
		}
	}
	fmt.Fprintf(w, "tiles customers=%d requests=%d rate=%.0f p50_ms=%.2f p99_ms=%.2f errors=%d rss_mb=%d hwm_mb=%d\n",
		c.customers, res.n, float64(res.n)/res.took.Seconds(), msf(res.pct(50)), msf(res.pct(99)), res.errors, mem.rss>>20, mem.hwm>>20)
	return nil
}

func mapsKeys[K comparable, V any](m map[K]V) func(func(K) bool) {
	return func(yield func(K) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", msf(d)) }
func msf(d time.Duration) float64 {
	return float64(d.Microseconds()) / 1000
}

// openStoreDSN opens "sqlite:PATH" or a postgres:// URL.
func openStoreDSN(ctx context.Context, dsn string) (data.Store, error) {
	switch {
	case strings.HasPrefix(dsn, "sqlite:"):
		path := strings.TrimPrefix(dsn, "sqlite:")
		if dir := filepath.Dir(path); dir != "" {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return nil, err
			}
		}
		return sqlite.Open(ctx, path)
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		return postgres.Open(ctx, dsn)
	}
	return nil, fmt.Errorf(`--db %q: want "sqlite:PATH" or a postgres:// URL`, dsn)
}

// ensureCity loads city into the store at dsn unless it holds it already
// (judged by the customer count and the first and last external ids).
func ensureCity(ctx context.Context, dsn string, city *demo.City, w io.Writer) error {
	s, err := openStoreDSN(ctx, dsn)
	if err != nil {
		return fmt.Errorf("open store: %w", err)
	}
	defer s.Close()
	if err := s.Migrate(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	n, err := s.CountCustomers(ctx, territory.CustomerFilter{})
	if err != nil {
		return err
	}
	if n == len(city.Customers) {
		first, err1 := s.CustomerByExternalID(ctx, city.Customers[0].ExternalID)
		last, err2 := s.CustomerByExternalID(ctx, city.Customers[n-1].ExternalID)
		if err1 == nil && err2 == nil && first.Location == city.Customers[0].Location && last.Location == city.Customers[n-1].Location {
			fmt.Fprintf(w, "store %s already holds this city (%d businesses): not reloaded\n", redact(dsn), n)
			return nil
		}
	}
	if err := s.Reset(ctx); err != nil {
		return fmt.Errorf("reset store: %w", err)
	}
	t0 := time.Now()
	if err := demo.Load(ctx, s, city, nil); err != nil {
		return err
	}
	fmt.Fprintf(w, "store %s: demo city loaded in %s\n", redact(dsn), time.Since(t0).Round(time.Millisecond))
	return nil
}

// redact drops a URL's password.
func redact(dsn string) string {
	return regexp.MustCompile(`://([^:/@]+):[^@]*@`).ReplaceAllString(dsn, "://$1:…@")
}

// server is the gridplan under test.
type server struct {
	url    string
	pid    int
	stop   func()
	memory func() memStat
}

type memStat struct{ rss, hwm int64 }

// procCPU is the user plus system CPU time pid has used, from /proc (0 when
// unreadable).
func procCPU(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// Fields after the command (which may hold spaces) start at ") ".
	_, rest, ok := strings.Cut(string(b), ") ")
	f := strings.Fields(rest)
	if !ok || len(f) < 13 {
		return 0
	}
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(utime+stime) * time.Second / 100 // USER_HZ is 100 on Linux
}

// procMemory reads VmRSS and VmHWM of pid from /proc.
func procMemory(pid int) memStat {
	var m memStat
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return m
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		f := strings.Fields(v)
		if len(f) != 2 || f[1] != "kB" {
			continue
		}
		kb, _ := strconv.ParseInt(f[0], 10, 64)
		switch k {
		case "VmRSS":
			m.rss = kb << 10
		case "VmHWM":
			m.hwm = kb << 10
		}
	}
	return m
}

// startServer serves the store at c.db: a child "gridplan serve" on a free
// port, or (with --in-process) web.NewRouter in this process.
func startServer(ctx context.Context, c tilesConfig, w, stderr io.Writer) (*server, error) {
	if c.inProcess {
		s, err := openStoreDSN(ctx, c.db)
		if err != nil {
			return nil, err
		}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			s.Close()
			return nil, err
		}
		hs := &http.Server{Handler: web.NewRouter(web.Deps{Store: s, Logger: slog.New(slog.DiscardHandler)}), ReadHeaderTimeout: 10 * time.Second}
		go hs.Serve(ln)
		fmt.Fprintf(w, "server: in this process, pid %d\n", os.Getpid())
		return &server{url: "http://" + ln.Addr().String(), pid: os.Getpid(), memory: func() memStat { return procMemory(os.Getpid()) },
			stop: func() { hs.Close(); s.Close() }}, nil
	}
	bin := c.bin
	if bin == "" {
		dir, err := os.MkdirTemp("", "gridbench-tiles-")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(dir) // the running binary stays open; the name can go
		bin = filepath.Join(dir, "gridplan")
		t0 := time.Now()
		build := exec.CommandContext(ctx, "go", "build", "-o", bin, "gridplan/cmd/gridplan")
		build.Stdout, build.Stderr = stderr, stderr
		if err := build.Run(); err != nil {
			return nil, fmt.Errorf("go build ./cmd/gridplan (or pass --bin): %w", err)
		}
		fmt.Fprintf(w, "built gridplan in %s\n", time.Since(t0).Round(time.Millisecond))
	}
	logf, err := os.CreateTemp("", "gridbench-tiles-server-*.log")
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, "serve", "--addr", "127.0.0.1:0", "--db", c.db, "--log-level", "warn")
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	cmd.Stderr = logf
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	stop := func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		logf.Close()
	}
	// "gridplan is serving on http://127.0.0.1:PORT"
	urlc := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if _, u, ok := strings.Cut(sc.Text(), "serving on "); ok {
				urlc <- strings.TrimSpace(u)
			}
		}
	}()
	select {
	case u := <-urlc:
		fmt.Fprintf(w, "server: %s serve, pid %d, log %s\n", bin, cmd.Process.Pid, logf.Name())
		pid := cmd.Process.Pid
		return &server{url: u, pid: pid, stop: stop, memory: func() memStat { return procMemory(pid) }}, nil
	case <-time.After(2 * time.Minute):
		stop()
		return nil, fmt.Errorf("gridplan serve did not start within 2 minutes; see %s", logf.Name())
	case <-ctx.Done():
		stop()
		return nil, ctx.Err()
	}
}

func must[T any](v T, _ error) T { return v }

// tileHistogram reads the server's cumulative request-duration histogram
// of the tile route from /metrics: le bound → count (nil when unreadable).
func tileHistogram(ctx context.Context, client *http.Client, base string) map[string]float64 {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/metrics", nil)
	if err != nil {
		return nil
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil
	}
	line := regexp.MustCompile(`(?m)^gridplan_http_request_duration_seconds_bucket\{([^}]*)\} (\S+)$`)
	le := regexp.MustCompile(`le="([^"]+)"`)
	out := map[string]float64{}
	for _, m := range line.FindAllStringSubmatch(string(b), -1) {
		if l := le.FindStringSubmatch(m[1]); l != nil && strings.Contains(m[1], `route="/tiles/customers/:z/:x/:y"`) {
			out[l[1]], _ = strconv.ParseFloat(m[2], 64)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// login returns a client holding the demo planner's session.
func login(ctx context.Context, base string) (*http.Client, error) {
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, Timeout: time.Minute, Transport: &http.Transport{MaxIdleConnsPerHost: 512, MaxConnsPerHost: 0}}
	body, _ := json.Marshal(map[string]string{"username": "planner", "password": demo.DemoPassword})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/api/login", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("login: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		return nil, fmt.Errorf("login: status %d: %s", resp.StatusCode, b)
	}
	return client, nil
}

// fetch GETs url and returns the (decompressed) body's length and whether
// the server answered from its tile cache.
func fetch(ctx context.Context, client *http.Client, url string) (n int64, hit bool, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, false, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, false, err
	}
	defer resp.Body.Close()
	hit = resp.Header.Get("X-Tile-Cache") == "hit"
	if n, err = io.Copy(io.Discard, resp.Body); err != nil {
		return n, hit, err
	}
	if resp.StatusCode != http.StatusOK {
		return n, hit, fmt.Errorf("%s: status %d", url, resp.StatusCode)
	}
	return n, hit, nil
}

// viewURLs returns at least n tile paths: map views of 1280×800 pixels
// (5×4 tiles of 256) at a zoom drawn uniformly from minZ..maxZ, centred on
// a random business, every tile of each view in turn; with unique, each
// tile only the first time a view shows it (views are drawn until n tiles
// are found, or 1000 views in a row add none).
func viewURLs(rng *rand.Rand, centres []orb.Point, minZ, maxZ, n int, unique bool) []string {
	var out []string
	seen := map[string]bool{}
	for idle := 0; len(out) < n && idle < 1000; idle++ {
		z := maptile.Zoom(minZ + rng.IntN(maxZ-minZ+1))
		f := maptile.Fraction(centres[rng.IntN(len(centres))], z)
		x0, y0 := int(math.Floor(f[0]-2.5)), int(math.Floor(f[1]-1.5625))
		x1, y1 := int(math.Floor(f[0]+2.5)), int(math.Floor(f[1]+1.5625))
		limit := 1 << z
		for y := max(0, y0); y <= min(limit-1, y1); y++ {
			for x := max(0, x0); x <= min(limit-1, x1); x++ {
				u := fmt.Sprintf("/tiles/customers/%d/%d/%d.mvt", z, x, y)
				if unique && seen[u] {
					continue
				}
				seen[u], idle = true, 0
				out = append(out, u)
			}
		}
	}
	return out
}

// loadResult is an open-loop run's outcome.
type loadResult struct {
	n, errors int
	hits      int // answered from the server's tile cache
	bytes     int64
	took      time.Duration
	lat       []time.Duration // sorted
	byZoom    map[int][]time.Duration
	peakRSS   int64
}

func (r *loadResult) pct(p float64) time.Duration { return pctOf(r.lat, p) }

// pctOf is the p-th percentile of sorted (nearest rank).
func pctOf(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(p/100*float64(len(sorted)))) - 1
	return sorted[max(0, min(len(sorted)-1, i))]
}

var zoomOfURL = regexp.MustCompile(`^/tiles/customers/(\d+)/`)

// openLoop sends urls at rate per second, each when due whatever the
// answers so far (up to inflight at once), for as long as it takes to send
// rate×duration of them (the caller sized urls), measuring each latency
// from when it was due.
func openLoop(ctx context.Context, client *http.Client, base string, urls []string, rate float64, inflight int, memory func() memStat) *loadResult {
	res := &loadResult{byZoom: map[int][]time.Duration{}}
	var mu sync.Mutex
	var wg sync.WaitGroup
	sem := make(chan struct{}, inflight)
	interval := time.Duration(float64(time.Second) / rate)
	stopSampling := make(chan struct{})
	var sampler sync.WaitGroup
	sampler.Go(func() {
		t := time.NewTicker(200 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-stopSampling:
				return
			case <-t.C:
				if m := memory(); m.rss > res.peakRSS {
					mu.Lock()
					res.peakRSS = m.rss
					mu.Unlock()
				}
			}
		}
	})
	start := time.Now()
	for i, u := range urls {
		due := start.Add(time.Duration(i) * interval)
		if d := time.Until(due); d > 0 {
			select {
			case <-time.After(d):
			case <-ctx.Done():
			}
		}
		if ctx.Err() != nil {
			break
		}
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			n, hit, err := fetch(ctx, client, base+u)
			lat := time.Since(due)
			z := 0
			if m := zoomOfURL.FindStringSubmatch(u); m != nil {
				z, _ = strconv.Atoi(m[1])
			}
			mu.Lock()
			defer mu.Unlock()
			res.n++
			if hit {
				res.hits++
			}
			if err != nil {
				res.errors++
				return
			}
			res.bytes += n
			res.lat = append(res.lat, lat)
			res.byZoom[z] = append(res.byZoom[z], lat)
		})
	}
	wg.Wait()
	res.took = time.Since(start)
	close(stopSampling)
	sampler.Wait()
	slices.Sort(res.lat)
	for _, d := range res.byZoom {
		slices.Sort(d)
	}
	return res
}

// runWrk runs wrk closed-loop over urls with the client's session cookie
// and prints its throughput and latency distribution.
func runWrk(ctx context.Context, wrk, base string, client *http.Client, urls []string, c tilesConfig, w io.Writer) error {
	req, _ := http.NewRequest(http.MethodGet, base, nil)
	var cookie []string
	for _, ck := range client.Jar.Cookies(req.URL) {
		cookie = append(cookie, ck.Name+"="+ck.Value)
	}
	if len(cookie) == 0 {
		return errors.New("no session cookie")
	}
	var script strings.Builder
	script.WriteString("local urls = {\n")
	for _, u := range urls {
		fmt.Fprintf(&script, "%q,\n", u)
	}
	fmt.Fprintf(&script, `}
local i = 0
request = function()
  i = i %% #urls + 1
  return wrk.format("GET", urls[i], {["Cookie"] = %q, ["Accept-Encoding"] = "gzip"})
end
`, strings.Join(cookie, "; "))
	f, err := os.CreateTemp("", "gridbench-tiles-*.lua")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if _, err := f.WriteString(script.String()); err != nil {
		return err
	}
	f.Close()
	threads := min(runtime.NumCPU(), c.wrkConns)
	args := []string{"-t", strconv.Itoa(threads), "-c", strconv.Itoa(c.wrkConns), "-d", fmt.Sprintf("%ds", int(math.Ceil(c.duration.Seconds()))), "--latency", "-s", f.Name(), base}
	fmt.Fprintf(w, "closed-loop load: wrk %s\n", strings.Join(args, " "))
	out, err := exec.CommandContext(ctx, wrk, args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%w: %s", err, out)
	}
	for line := range strings.SplitSeq(strings.TrimRight(string(out), "\n"), "\n") {
		fmt.Fprintf(w, "  | %s\n", line)
	}
	return nil
}
