package main

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// progressBar draws a download's progress on one terminal line:
//
//	z7hb7ozglgsifret [==========>         ]  52%  6.1 KiB / 12.3 KiB
//
// It redraws at most every 100 ms, and always at the end. A nil *progressBar does nothing.
type progressBar struct {
	w     io.Writer
	label string
	last  time.Time
	drawn bool
	done  int64
	total int64
}

const barWidth = 30

func newProgressBar(w io.Writer, label string) *progressBar {
	return &progressBar{w: w, label: label, total: -1}
}

func (p *progressBar) update(done, total int64) {
	p.done, p.total = done, total
	if now := time.Now(); now.Sub(p.last) >= 100*time.Millisecond || (total > 0 && done >= total) {
		p.last = now
		p.draw()
	}
}

func (p *progressBar) draw() {
	p.drawn = true
	if p.total <= 0 {
		fmt.Fprintf(p.w, "\r%s %s", p.label, byteSize(p.done))
		return
	}
	frac := min(float64(p.done)/float64(p.total), 1)
	n := int(frac * barWidth)
	bar := strings.Repeat("=", n)
	if n < barWidth {
		bar += ">" + strings.Repeat(" ", barWidth-n-1)
	}
	fmt.Fprintf(p.w, "\r%s [%s] %3d%%  %s / %s", p.label, bar, int(frac*100), byteSize(p.done), byteSize(p.total))
}

// finish draws the final state and ends the line.
func (p *progressBar) finish() {
	if p == nil || !p.drawn && p.done == 0 {
		return
	}
	p.draw()
	fmt.Fprintln(p.w)
}

// byteSize writes a size in bytes for people: 512 B, 6.1 KiB, 3.4 MiB.
func byteSize(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
