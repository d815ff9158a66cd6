// Package progress draws the progress of a long task on one terminal line, redrawn in place:
// the bytes of a download (eccs documents download) or the rows of an import (eccsd admin
// import). It is for people: the programs draw a bar only on a terminal (OnTerminal).
package progress

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"golang.org/x/term"
)

// OnTerminal reports whether stream is an *os.File on a terminal.
func OnTerminal(stream any) bool {
	f, ok := stream.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// Bar is one line of progress:
//
//	z7hb7ozglgsifret [==========>                   ]  36%  6.1 KiB / 12.3 KiB
//	contract         [===================>          ]  66%  2 / 3
//
// It redraws at most every 100 ms, and always at the end. A nil *Bar draws nothing, so that a
// program makes one only on a terminal and calls it unconditionally.
type Bar struct {
	w      io.Writer
	label  string
	amount func(int64) string
	last   time.Time
	drawn  bool
	done   int64
	total  int64
}

// width is the number of cells of the bar itself.
const width = 30

// Bytes writes a size in bytes for people: 512 B, 6.1 KiB, 3.4 MiB.
func Bytes(n int64) string {
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

// Count writes a number of items: 3.
func Count(n int64) string { return fmt.Sprint(n) }

// New returns a bar on w, labelled label, out of total (-1 when unknown), whose amounts amount
// writes (Bytes or Count).
func New(w io.Writer, label string, total int64, amount func(int64) string) *Bar {
	return &Bar{w: w, label: label, total: total, amount: amount}
}

// Set records that done of total are done (total -1 when unknown), and redraws when due.
func (b *Bar) Set(done, total int64) {
	if b == nil {
		return
	}
	b.done, b.total = done, total
	if now := time.Now(); now.Sub(b.last) >= 100*time.Millisecond || (total > 0 && done >= total) {
		b.last = now
		b.draw()
	}
}

// Step records one more done, now about label (the kind of row an import loads), and redraws
// when due.
func (b *Bar) Step(label string) {
	if b == nil {
		return
	}
	b.label = label
	b.Set(b.done+1, b.total)
}

func (b *Bar) draw() {
	b.drawn = true
	if b.total <= 0 {
		fmt.Fprintf(b.w, "\r%s %s", b.label, b.amount(b.done))
		return
	}
	frac := min(float64(b.done)/float64(b.total), 1)
	n := int(frac * width)
	bar := strings.Repeat("=", n)
	if n < width {
		bar += ">" + strings.Repeat(" ", width-n-1)
	}
	fmt.Fprintf(b.w, "\r%-16s [%s] %3d%%  %s / %s ", b.label, bar, int(frac*100), b.amount(b.done), b.amount(b.total))
}

// Finish draws the final state and ends the line, which stays on the terminal.
func (b *Bar) Finish() {
	if b == nil || !b.drawn && b.done == 0 {
		return
	}
	b.draw()
	fmt.Fprintln(b.w)
}

// Clear erases the line, for a program that writes a report where the bar was.
func (b *Bar) Clear() {
	if b == nil || !b.drawn {
		return
	}
	fmt.Fprintf(b.w, "\r%s\r", strings.Repeat(" ", 16+width+40))
}
