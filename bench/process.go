package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// proc is a server the harness started as a separate process, so that its memory and CPU are
// its own and measurable from /proc.
type proc struct {
	name string
	cmd  *exec.Cmd
	addr string // host:port it listens on
	done chan struct{}
	err  error // of Wait, once done is closed
	log  *os.File
}

// startProc starts bin with args on addr. Its output goes to logPath (or nowhere when empty):
// a pipe read by the harness would take CPU from the measurement.
func startProc(name, bin string, args []string, addr, logPath string) (*proc, error) {
	cmd := exec.Command(bin, args...)
	cmd.Env = serverEnv()
	p := &proc{name: name, cmd: cmd, addr: addr, done: make(chan struct{})}
	if logPath != "" {
		f, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
		if err != nil {
			return nil, err
		}
		p.log = f
		cmd.Stdout, cmd.Stderr = f, f
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL} // never outlive the harness
	if err := cmd.Start(); err != nil {
		if p.log != nil {
			p.log.Close()
		}
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	go func() {
		p.err = cmd.Wait()
		if p.log != nil {
			p.log.Close()
		}
		close(p.done)
	}()
	return p, nil
}

// serverEnv is the harness's environment without ECCS_ variables: a stray ECCS_DATABASE_URL
// must not send the server under test elsewhere. Flags say everything instead.
func serverEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "ECCS_") {
			env = append(env, kv)
		}
	}
	return env
}

func (p *proc) pid() int { return p.cmd.Process.Pid }

func (p *proc) baseURL() string { return "http://" + p.addr }

// stop sends SIGTERM and waits for the process to exit, killing it after a while.
func (p *proc) stop() {
	select {
	case <-p.done:
		return
	default:
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(15 * time.Second):
		p.cmd.Process.Kill()
		<-p.done
	}
}

// waitReady polls url every millisecond until it answers 200 and returns how long after
// since that was. It fails if the process exits first or timeout passes.
func (p *proc) waitReady(url string, since time.Time, timeout time.Duration) (time.Duration, error) {
	client := &http.Client{
		Transport: &http.Transport{Proxy: nil, DisableKeepAlives: true},
		Timeout:   time.Second,
	}
	deadline := since.Add(timeout)
	for {
		resp, err := client.Get(url)
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return time.Since(since), nil
			}
		}
		select {
		case <-p.done:
			return 0, fmt.Errorf("%s exited before it was ready: %v (run with -server-log FILE to see why)", p.name, p.err)
		case <-time.After(time.Millisecond):
		}
		if time.Now().After(deadline) {
			return 0, fmt.Errorf("%s not ready after %s", p.name, timeout)
		}
	}
}

// freeAddr returns a loopback address with a port nobody listens on now.
func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// memStatus reads VmRSS and VmHWM (peak RSS) of a process, in bytes.
func memStatus(pid int) (rss, hwm int64, err error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		var target *int64
		switch {
		case strings.HasPrefix(line, "VmRSS:"):
			target = &rss
		case strings.HasPrefix(line, "VmHWM:"):
			target = &hwm
		default:
			continue
		}
		fields := strings.Fields(line) // "VmRSS:", "1234", "kB"
		if len(fields) >= 2 {
			kb, _ := strconv.ParseInt(fields[1], 10, 64)
			*target = kb << 10
		}
	}
	return rss, hwm, sc.Err()
}

// resetPeakRSS resets a process's VmHWM to its current RSS (Linux ≥ 4.0, by writing 5 to
// clear_refs), so that VmHWM read later is the peak since now.
func resetPeakRSS(pid int) error {
	return os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", pid), []byte("5"), 0)
}

// clockTick is the unit of the CPU times of /proc/<pid>/stat (USER_HZ, 100 on Linux).
const clockTick = 10 * time.Millisecond

// cpuTime returns the user+system CPU time a process has used.
func cpuTime(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name (field 2) may hold spaces; the fields after its ')' are fixed.
	fields, err := statFields(b)
	if err != nil {
		return 0, err
	}
	u, _ := strconv.ParseInt(fields[11], 10, 64)
	s, _ := strconv.ParseInt(fields[12], 10, 64)
	return time.Duration(u+s) * clockTick, nil
}

// treeCPUTime returns the CPU time of a process and of its children, living (their own
// times) and exited (the times it collected when it waited for them): a PostgreSQL
// postmaster's, its backends included.
func treeCPUTime(parent int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", parent))
	if err != nil {
		return 0, err
	}
	fields, err := statFields(b)
	if err != nil {
		return 0, err
	}
	var ticks int64
	for _, i := range []int{11, 12, 13, 14} { // utime, stime, cutime, cstime
		v, _ := strconv.ParseInt(fields[i], 10, 64)
		ticks += v
	}
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return 0, err
	}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == parent {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue // exited meanwhile
		}
		f, err := statFields(b)
		if err != nil {
			continue
		}
		if ppid, _ := strconv.Atoi(f[1]); ppid != parent {
			continue
		}
		u, _ := strconv.ParseInt(f[11], 10, 64)
		s, _ := strconv.ParseInt(f[12], 10, 64)
		ticks += u + s
	}
	return time.Duration(ticks) * clockTick, nil
}

// statFields returns the fields of /proc/<pid>/stat after the command name: [0] is field 3
// (state), [1] the parent's pid, [11] and [12] utime and stime, [13] and [14] cutime and
// cstime.
func statFields(b []byte) ([]string, error) {
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return nil, errors.New("unexpected /proc/<pid>/stat")
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 15 {
		return nil, errors.New("unexpected /proc/<pid>/stat")
	}
	return f, nil
}

// watcher follows a server during a measured run: its peak RSS (VmHWM after a reset, with
// sampling as a fallback) and its CPU time in the window, and the CPU time of the database
// server's processes when it has some (dbPid, PostgreSQL's postmaster).
type watcher struct {
	pid        int
	dbPid      int
	resetOK    bool
	sampled    int64
	cpuStart   time.Duration
	cpuEnd     time.Duration
	dbCPUStart time.Duration
	dbCPUEnd   time.Duration
	stop       context.CancelFunc
	done       chan struct{}
	rssBefore  int64
}

func watch(pid, dbPid int) *watcher {
	w := &watcher{pid: pid, dbPid: dbPid, done: make(chan struct{})}
	w.rssBefore, _, _ = memStatus(pid)
	w.resetOK = resetPeakRSS(pid) == nil
	ctx, cancel := context.WithCancel(context.Background())
	w.stop = cancel
	go func() {
		defer close(w.done)
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			if rss, _, err := memStatus(pid); err == nil && rss > w.sampled {
				w.sampled = rss
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
	return w
}

func (w *watcher) hooks() hooks {
	return hooks{
		windowStart: func() {
			w.cpuStart, _ = cpuTime(w.pid)
			if w.dbPid > 0 {
				w.dbCPUStart, _ = treeCPUTime(w.dbPid)
			}
		},
		windowEnd: func() {
			w.cpuEnd, _ = cpuTime(w.pid)
			if w.dbPid > 0 {
				w.dbCPUEnd, _ = treeCPUTime(w.dbPid)
			}
		},
	}
}

// finish stops sampling and returns the peak RSS since watch and the CPU times in the window.
func (w *watcher) finish() (peak int64, cpu, dbCPU time.Duration) {
	w.stop()
	<-w.done
	peak = w.sampled
	if w.resetOK {
		if _, hwm, err := memStatus(w.pid); err == nil && hwm > peak {
			peak = hwm
		}
	}
	return peak, w.cpuEnd - w.cpuStart, w.dbCPUEnd - w.dbCPUStart
}

// loadAverage returns the 1, 5 and 15 minute load averages as /proc/loadavg shows them.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}
