package main

import (
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// progress reports long work: a bar per stage on a terminal, plain log lines
// (at most one per stage per 10%) otherwise, so CI logs stay readable.
type progress struct {
	w       io.Writer
	tty     bool
	log     *slog.Logger
	stage   string
	bar     *progressbar.ProgressBar
	lastPct int
	started time.Time
}

func newProgress(w io.Writer, log *slog.Logger) *progress {
	tty := false
	if f, ok := w.(*os.File); ok {
		tty = term.IsTerminal(int(f.Fd()))
	}
	return &progress{w: w, tty: tty, log: log}
}

// Report is told that stage has done of total units.
func (p *progress) Report(stage string, done, total int) {
	if stage != p.stage {
		p.finish()
		p.stage, p.lastPct, p.started = stage, -1, time.Now()
		if p.tty {
			p.bar = progressbar.NewOptions(total,
				progressbar.OptionSetWriter(p.w),
				progressbar.OptionSetDescription(stage),
				progressbar.OptionShowCount(),
				progressbar.OptionShowIts(),
				progressbar.OptionSetPredictTime(true),
				progressbar.OptionThrottle(100*time.Millisecond),
				progressbar.OptionOnCompletion(func() { io.WriteString(p.w, "\n") }),
			)
		}
	}
	if p.bar != nil {
		p.bar.Set(done)
		return
	}
	pct := 100
	if total > 0 {
		pct = done * 100 / total
	}
	if pct/10 > p.lastPct/10 || p.lastPct < 0 {
		p.lastPct = pct
		p.log.Info("progress", "stage", stage, "done", done, "total", total, "percent", pct)
	}
}

func (p *progress) finish() {
	if p.stage == "" {
		return
	}
	if p.bar != nil {
		p.bar.Finish()
		p.bar = nil
	}
	p.log.Info("stage done", "stage", p.stage, "elapsed", time.Since(p.started).Round(time.Millisecond))
	p.stage = ""
}
