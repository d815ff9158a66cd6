//go:build linux

package main

// The disk-full case of the dependency faults (e2e_faults_test.go): Linux only, since it mounts
// a small tmpfs (root, or CAP_SYS_ADMIN) and reads its free space with statfs.

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/eccs/eccs/api"
	"github.com/eccs/eccs/api/admin"
	"github.com/eccs/eccs/internal/devseed"
	"github.com/eccs/eccs/internal/testkit/openapitest"
	"github.com/eccs/eccs/internal/testkit/testenv"
)

// mountTmpfs mounts a tmpfs of size bytes on dir (created if missing) until the test ends. It
// skips loudly (fails under ECCS_TEST_REQUIRE_ALL=1) when the process may not mount.
func mountTmpfs(t *testing.T, dir string, size int64) {
	t.Helper()
	if os.Geteuid() != 0 {
		testenv.Unavailable(t, "filling a disk needs a small tmpfs, and mounting one needs root")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, fmt.Sprintf("size=%d,mode=0700", size)); err != nil {
		testenv.Unavailable(t, "cannot mount a tmpfs on %s (%v): a container without CAP_SYS_ADMIN?", dir, err)
	}
	t.Cleanup(func() {
		if err := syscall.Unmount(dir, 0); err != nil {
			t.Logf("unmount %s: %v; detaching it", dir, err)
			syscall.Unmount(dir, syscall.MNT_DETACH)
		}
	})
}

// freeBytes is the free space of the file system holding dir.
func freeBytes(t *testing.T, dir string) int64 {
	t.Helper()
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		t.Fatal(err)
	}
	return int64(st.Bavail) * st.Bsize
}

// dirSize is the size of the files under dir.
func dirSize(t *testing.T, dir string) int64 {
	t.Helper()
	var n int64
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		n += info.Size()
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// leaveFree fills the file system of root with root/filler until exactly free bytes (a
// multiple of the page size) are left: it writes until the disk is full, then gives back free
// bytes from the end of the filler.
func leaveFree(t *testing.T, root string, free int64) {
	t.Helper()
	filler := filepath.Join(root, "filler")
	f, err := os.OpenFile(filler, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	buf := bytes.Repeat([]byte{0xAA}, 64<<10)
	for {
		if _, err := f.Write(buf); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatal(err)
			}
			break
		}
	}
	if err := f.Close(); err != nil && !errors.Is(err, syscall.ENOSPC) {
		t.Fatal(err)
	}
	info, err := os.Stat(filler)
	if err != nil {
		t.Fatal(err)
	}
	const page = 4096
	if err := os.Truncate(filler, info.Size()/page*page-free); err != nil {
		t.Fatal(err)
	}
	if got := freeBytes(t, root); got < free || got > free+page {
		t.Fatalf("the disk has %d bytes free, want %d", got, free)
	}
}

// adminCall sends an admin API request with the demo operator token; the answer is checked
// against api/admin/openapi.yaml.
func adminCall(t *testing.T, s *server, method, path, contentType string, body []byte) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, s.url+admin.BasePath+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+devseed.OperatorToken)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	c := &http.Client{Transport: openapitest.NewAdmin(t).Transport(t, http.DefaultTransport), Timeout: 30 * time.Second}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, got
}

// documentTotal is how many documents the sample contract has, through the admin API.
func documentTotal(t *testing.T, s *server) int {
	t.Helper()
	resp, body := adminCall(t, s, http.MethodGet, "/contracts/"+devseed.SampleContractID+"/documents?limit=1", "", nil)
	var list admin.List[admin.Document]
	if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &list) != nil {
		t.Fatalf("count documents: %d %s", resp.StatusCode, body)
	}
	return list.Total
}

// uploadReport uploads file as a usage report of the sample contract.
func uploadReport(t *testing.T, s *server, file []byte, filename string) (*http.Response, []byte) {
	t.Helper()
	q := "type=reports&period=203001&amount=1.00&currency=EUR&filename=" + filename
	return adminCall(t, s, http.MethodPost, "/contracts/"+devseed.SampleContractID+"/documents?"+q, "text/csv", file)
}

// TestFaultDiskFullOnUploadAnswers507StoresNothingAndKeepsServing runs the server on a data
// directory (database, document files, upload spool: the single-node layout) on a tmpfs of
// its own, fills the tmpfs so that each place in turn lacks room for a 256 KiB upload, and
// uploads through the admin API. Each upload answers 507 with code 5 and a description that
// says the disk is full, and leaves nothing: no document row, no document file (temporary or
// not), no spooled copy. Meanwhile tokens, lists, downloads and /readyz answer 200. Once space
// is freed, the same upload is stored and downloads whole, without a restart.
func TestFaultDiskFullOnUploadAnswers507StoresNothingAndKeepsServing(t *testing.T) {
	d := startOnATmpfs(t)
	for i, c := range []diskFullCase{
		{"the upload spool", 0, "spool the upload"},                             // its first write fails
		{"the document files", diskFullUpload + diskFullUpload/2, "store blob"}, // the spool fits, the stored copy does not
		{"the database", 2 * diskFullUpload, "database or disk is full (13)"},   // both copies fit, not the row
	} {
		t.Run("no room for "+c.where, func(t *testing.T) { d.checkUploadOnAFullDisk(t, fmt.Sprintf("full-%d.csv", i), c) })
	}
	t.Run("once space is freed the same upload is stored", d.checkUploadOnceSpaceIsFreed)
}

// diskFullUpload is the size of the disk-full test's upload.
const diskFullUpload = 256 << 10

// diskFullCase is a place of the data directory that lacks room for the upload.
type diskFullCase struct {
	where string
	free  int64  // what the disk has left before the upload
	cause string // in the server's log of the failure: proof that this place ran out of room
}

// diskFullServer is a server whose data directory is on a tmpfs of the test's own.
type diskFullServer struct {
	s         *server
	fc        *faultClient
	root, dir string // the tmpfs, and the data directory on it
	download  string // the path of a seeded document's download
	file      []byte // the upload
}

// startOnATmpfs copies the seeded world to a tmpfs with 16 MiB to spare and serves it; a list
// and a download work before the disk is filled.
func startOnATmpfs(t *testing.T) *diskFullServer {
	t.Helper()
	tm := seededTemplate(t)
	d := &diskFullServer{root: filepath.Join(t.TempDir(), "disk"), file: usageCSV(diskFullUpload)}
	mountTmpfs(t, d.root, dirSize(t, tm.dir)+16<<20)
	d.dir = filepath.Join(d.root, "data")
	if err := copyDir(tm.dir, d.dir); err != nil {
		t.Fatal(err)
	}
	d.s = startServer(t, []string{"serve", "--addr", "127.0.0.1:0", "--data-dir", d.dir, "--rate-limit", "0"}, noEnv, "")
	d.fc = newFaultClient(t, d.s, d.s.demoToken(t))
	list := d.fc.do("list", api.BasePath+"/documents?limit=1")
	var docs []api.Document
	if list.status != http.StatusOK || json.Unmarshal([]byte(list.body), &docs) != nil || len(docs) != 1 {
		t.Fatalf("before filling the disk: %s", list)
	}
	d.download = api.BasePath + "/documents/" + docs[0].ID + "/file"
	if c := d.fc.do("download", d.download); c.status != http.StatusOK {
		t.Fatalf("before filling the disk: %s", c)
	}
	documentTotal(t, d.s) // the operator token's last use is written while there is room
	return d
}

// checkUploadOnAFullDisk leaves c.free bytes on the disk and uploads the file as filename:
// 507 with code 5 saying the disk is full, failed where c says, and nothing left; what needs
// no room is still served.
func (d *diskFullServer) checkUploadOnAFullDisk(t *testing.T, filename string, c diskFullCase) {
	s := d.s
	leaveFree(t, d.root, c.free)
	total, files := documentTotal(t, s), documentFiles(t, d.dir)
	begin := time.Now()
	resp, body := uploadReport(t, s, d.file, filename)
	took := time.Since(begin)
	t.Logf("%d bytes free: %d after %s: %s", c.free, resp.StatusCode, took.Round(time.Millisecond), body)
	if resp.StatusCode != http.StatusInsufficientStorage {
		t.Errorf("upload on a full disk: %d %s, want 507", resp.StatusCode, body)
	} else if e := envelope(t, body); e.Code != api.CodeServiceUnavailable || !strings.Contains(e.Description, "no disk space") {
		t.Errorf("507 answer %s, want code %d and a description that says the disk is full", body, api.CodeServiceUnavailable)
	}
	if line := lastFailureLog(s); !strings.Contains(line, c.cause) {
		t.Errorf("the server's log of the failure does not name %q, so the upload did not fail where this case fills the disk: %s", c.cause, line)
	}
	if got := documentTotal(t, s); got != total {
		t.Errorf("the contract had %d documents, now %d: a refused upload left a row", total, got)
	}
	if got := documentFiles(t, d.dir); !maps.Equal(got, files) {
		t.Errorf("a refused upload changed the document files: %d files before, %d after; new: %v",
			len(files), len(got), addedFiles(got, files))
	}
	if spooled := spoolLeft(t, d.dir); len(spooled) > 0 {
		t.Errorf("the upload spool keeps %v", spooled)
	}
	// The server keeps serving what needs no room.
	for kind, path := range map[string]string{"token": "", "list": api.BasePath + "/documents?limit=3", "download": d.download} {
		if c := d.fc.do(kind, path); c.status != http.StatusOK {
			t.Errorf("on a full disk: %s", c)
		}
	}
	if resp, body := send(t, mustRequest(t, http.MethodGet, s.url+"/readyz")); resp.StatusCode != http.StatusOK {
		t.Errorf("/readyz on a full disk: %d %s", resp.StatusCode, body)
	}
}

// checkUploadOnceSpaceIsFreed removes the filler: the same upload is stored, and downloads
// whole.
func (d *diskFullServer) checkUploadOnceSpaceIsFreed(t *testing.T) {
	s, file := d.s, d.file
	if err := os.Remove(filepath.Join(d.root, "filler")); err != nil {
		t.Fatal(err)
	}
	total := documentTotal(t, s)
	resp, body := uploadReport(t, s, file, "after-full.csv")
	var doc admin.Document
	if resp.StatusCode != http.StatusCreated || json.Unmarshal(body, &doc) != nil {
		t.Fatalf("upload once space is freed: %d %s", resp.StatusCode, body)
	}
	if got := documentTotal(t, s); got != total+1 {
		t.Errorf("the contract has %d documents, want %d", got, total+1)
	}
	c := d.fc.do("download", api.BasePath+"/documents/"+doc.ID+"/file")
	sum := sha256.Sum256(file)
	got := sha256.Sum256([]byte(c.body))
	if c.status != http.StatusOK || got != sum {
		t.Errorf("download of the stored upload: %d, %d bytes with SHA-256 %s, want the %d bytes uploaded (%s)",
			c.status, len(c.body), hex.EncodeToString(got[:]), len(file), hex.EncodeToString(sum[:]))
	}
}

// addedFiles lists the files of got that want lacks.
func addedFiles(got, want map[string]int64) []string {
	var keys []string
	for k := range got {
		if _, ok := want[k]; !ok {
			keys = append(keys, k)
		}
	}
	return keys
}

// lastFailureLog returns the server's last "request failed" log line.
func lastFailureLog(s *server) string {
	lines := strings.Split(s.stderr.String(), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if strings.Contains(lines[i], `"msg":"request failed"`) {
			return lines[i]
		}
	}
	return ""
}

// usageCSV returns a usage report (the reports type, doc/wire.md §6) of exactly size bytes: a
// header and lines of two fields, the last one padded.
func usageCSV(size int) []byte {
	const header = "Service;Note\n"
	var b bytes.Buffer
	b.WriteString(header)
	line := "ECS;" + strings.Repeat("x", 60) + "\n"
	for b.Len()+2*len(line) <= size {
		b.WriteString(line)
	}
	rest := size - b.Len() - len("ECS;\n")
	b.WriteString("ECS;" + strings.Repeat("y", rest) + "\n")
	return b.Bytes()
}
