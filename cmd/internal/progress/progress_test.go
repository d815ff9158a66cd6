package progress

import (
	"strings"
	"testing"
)

func TestBytes(t *testing.T) {
	for n, want := range map[int64]string{0: "0 B", 512: "512 B", 1024: "1.0 KiB", 6246: "6.1 KiB", 3565158: "3.4 MiB"} {
		if got := Bytes(n); got != want {
			t.Errorf("Bytes(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestBarDrawsTheEndAndEndsTheLine(t *testing.T) {
	var out strings.Builder
	b := New(&out, "doc1", -1, Bytes)
	b.Set(100, 2048)  // first call draws
	b.Set(1024, 2048) // within 100 ms: not drawn
	b.Set(2048, 2048) // the end is always drawn
	b.Finish()
	lines := strings.Split(out.String(), "\r")
	last := lines[len(lines)-1]
	if !strings.Contains(last, "100%") || !strings.Contains(last, "2.0 KiB / 2.0 KiB") || !strings.HasSuffix(last, "\n") {
		t.Errorf("last draw = %q, want 100%% of 2.0 KiB ending the line", last)
	}
	if strings.Contains(out.String(), " 50%") {
		t.Errorf("a draw within 100 ms of the last: %q", out.String())
	}
}

func TestBarCountsSteps(t *testing.T) {
	var out strings.Builder
	b := New(&out, "", 2, Count)
	b.Step("contract")
	b.Step("user")
	if got := out.String(); !strings.Contains(got, "user") || !strings.Contains(got, "2 / 2") {
		t.Errorf("steps drew %q, want the last label and 2 / 2", got)
	}
	b.Clear()
	if !strings.HasSuffix(out.String(), "\r") {
		t.Errorf("Clear did not return to the start of the line: %q", out.String())
	}
}

func TestNilBarDrawsNothing(t *testing.T) {
	var b *Bar
	b.Set(1, 2)
	b.Step("x")
	b.Finish()
	b.Clear()
}

func TestUnknownTotalShowsTheAmount(t *testing.T) {
	var out strings.Builder
	b := New(&out, "doc1", -1, Bytes)
	b.Set(512, -1)
	b.Finish()
	if got := out.String(); got != "\rdoc1 512 B\rdoc1 512 B\n" {
		t.Errorf("drew %q", got)
	}
}

func TestOnTerminalRefusesWhatIsNotAFile(t *testing.T) {
	if OnTerminal(&strings.Builder{}) {
		t.Error("a strings.Builder is not a terminal")
	}
}
