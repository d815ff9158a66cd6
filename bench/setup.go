package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/eccs/eccs/internal/devseed"
	"github.com/eccs/eccs/internal/docformat"
	"github.com/eccs/eccs/internal/eccs"
	"github.com/eccs/eccs/internal/fileblob"
	"github.com/eccs/eccs/internal/sqlite"
)

// world is what the prepared data directory holds that the scenarios need. It is saved as
// world.json in the directory, so that -data reuses a directory without seeding it again.
type world struct {
	Dir          string `json:"dir"` // SQLite data directory: eccs.db, documents/, keys.json
	ClientID     string `json:"clientId"`
	ClientSecret string `json:"clientSecret"`
	ClientKey    string `json:"clientKey"` // API key of the client account
	ContractID   string `json:"contractId"`
	// SmallKey and LargeKey are API keys of administrators whose perimeters hold SmallN and
	// LargeN contracts.
	SmallKey string     `json:"smallKey"`
	LargeKey string     `json:"largeKey"`
	SmallN   int        `json:"smallN"`
	LargeN   int        `json:"largeN"`
	Docs     []benchDoc `json:"docs"`
	// Notes are what setup found worth reporting (a file the format checker refused).
	Notes []string `json:"notes"`
}

// benchDoc is a document of the benchmark contract: its id, size and the file holding its
// bytes in the blob store (which the baseline serves with http.ServeContent).
type benchDoc struct {
	Name string `json:"name"`
	ID   string `json:"id"`
	Size int64  `json:"size"`
	Path string `json:"path"`
}

func (w world) doc(name string) benchDoc {
	for _, d := range w.Docs {
		if d.Name == name {
			return d
		}
	}
	panic("no document " + name)
}

func (w world) keysFile() string { return filepath.Join(w.Dir, "keys.json") }

// sizes says how much data to prepare.
type sizes struct {
	small, large int   // contracts in the two administrators' perimeters
	largeFile    int64 // the large download
	hugeFile     int64 // the download during which RSS growth is measured (0: the large one)
}

// Names of the benchmark documents.
const (
	docSmall = "download-1MiB"
	docLarge = "download-large"
	docHuge  = "download-huge"
)

// prepareWorld makes a data directory for eccsd and fills it: the demo world of dev mode
// (devseed: customers, contracts, thirteen months of real billing documents, a client account,
// an approved application), then two administrators whose perimeters hold s.small and s.large
// contracts, then large consumption CSVs on the benchmark contract. Everything goes through
// the domain (eccs.Service) on the real store; the schema comes from `eccsd migrate`.
func prepareWorld(ctx context.Context, dir, eccsd string, s sizes, logf func(string, ...any)) (world, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return world{}, err
	}
	keys, err := writeKeys(filepath.Join(dir, "keys.json"))
	if err != nil {
		return world{}, err
	}
	cmd := exec.CommandContext(ctx, eccsd, "migrate", "--data-dir", dir)
	cmd.Env = serverEnv()
	if out, err := cmd.CombinedOutput(); err != nil {
		return world{}, fmt.Errorf("eccsd migrate: %v: %s", err, out)
	}
	store, err := sqlite.Open(ctx, filepath.Join(dir, "eccs.db"), sqlite.Options{})
	if err != nil {
		return world{}, err
	}
	defer store.Close()
	blobs, err := fileblob.Open(filepath.Join(dir, "documents"))
	if err != nil {
		return world{}, err
	}
	t0 := time.Now()
	if _, err := devseed.Seed(ctx, store, blobs, keys, time.Now(), devseed.URLs{Public: "http://127.0.0.1", Admin: "http://127.0.0.1"}); err != nil {
		return world{}, fmt.Errorf("seed the demo world: %w", err)
	}
	logf("seeded the demo world in %s", time.Since(t0).Round(time.Millisecond))

	ctx = eccs.WithActor(ctx, eccs.Actor{Type: eccs.ActorSystem, ID: "bench-seed"})
	svc, err := eccs.NewService(store, blobs, eccs.Config{Keys: keys, Formats: docformat.Formats{}})
	if err != nil {
		return world{}, err
	}
	w := world{
		Dir:          dir,
		ClientID:     devseed.ClientID,
		ClientSecret: devseed.ClientSecret,
		ClientKey:    devseed.ClientAPIKey,
		ContractID:   devseed.SampleContractID,
		SmallN:       s.small,
		LargeN:       s.large,
	}
	t0 = time.Now()
	if w.SmallKey, w.LargeKey, err = seedPerimeters(ctx, svc, s.small, s.large); err != nil {
		return world{}, err
	}
	logf("seeded %d + %d contracts in %s", s.small, s.large, time.Since(t0).Round(time.Millisecond))

	t0 = time.Now()
	lines, err := csvLines()
	if err != nil {
		return world{}, err
	}
	files := []struct {
		name string
		size int64
	}{{docSmall, 1 << 20}, {docLarge, s.largeFile}}
	if s.hugeFile > 0 {
		files = append(files, struct {
			name string
			size int64
		}{docHuge, s.hugeFile})
	}
	for i, f := range files {
		d, note, err := addCSV(ctx, svc, store, blobs, keys, dir, w.ContractID, f.name, f.size, lines, i)
		if err != nil {
			return world{}, err
		}
		if note != "" {
			w.Notes = append(w.Notes, note)
			logf("%s", note)
		}
		w.Docs = append(w.Docs, d)
	}
	if s.hugeFile == 0 {
		d := w.doc(docLarge)
		d.Name = docHuge
		w.Docs = append(w.Docs, d)
	}
	logf("stored the download files in %s", time.Since(t0).Round(time.Millisecond))

	b, _ := json.MarshalIndent(w, "", "  ")
	if err := os.WriteFile(filepath.Join(dir, "world.json"), b, 0o600); err != nil {
		return world{}, err
	}
	return w, nil
}

// loadWorld reads the world.json of a directory prepared earlier.
func loadWorld(dir string) (world, bool, error) {
	b, err := os.ReadFile(filepath.Join(dir, "world.json"))
	if errors.Is(err, os.ErrNotExist) {
		return world{}, false, nil
	}
	if err != nil {
		return world{}, false, err
	}
	var w world
	if err := json.Unmarshal(b, &w); err != nil {
		return world{}, false, fmt.Errorf("%s/world.json: %w", dir, err)
	}
	return w, true, nil
}

// keysJSON is the keys file of eccsd (cmd/eccsd/keys.go): base64 keys.
type keysJSON struct {
	HashKey   string `json:"hashKey"`
	TokenKeys []struct {
		ID     string `json:"id"`
		Secret string `json:"secret"`
	} `json:"tokenKeys"`
}

// writeKeys writes a fresh keys file in eccsd's format, so that the harness's Service and the
// server under test hash secrets and sign tokens with the same keys.
func writeKeys(path string) (eccs.Keys, error) {
	hash, token := make([]byte, 32), make([]byte, 32)
	rand.Read(hash)
	rand.Read(token)
	var kf keysJSON
	kf.HashKey = base64.StdEncoding.EncodeToString(hash)
	kf.TokenKeys = append(kf.TokenKeys, struct {
		ID     string `json:"id"`
		Secret string `json:"secret"`
	}{"kbench1", base64.StdEncoding.EncodeToString(token)})
	b, _ := json.Marshal(kf)
	if err := os.WriteFile(path, b, 0o600); err != nil {
		return eccs.Keys{}, err
	}
	return eccs.Keys{HashKey: hash, TokenKeys: []eccs.TokenKey{{ID: "kbench1", Secret: token}}}, nil
}

// readKeys reads a keys file written by writeKeys.
func readKeys(path string) (eccs.Keys, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return eccs.Keys{}, err
	}
	var kf keysJSON
	if err := json.Unmarshal(b, &kf); err != nil {
		return eccs.Keys{}, err
	}
	var k eccs.Keys
	if k.HashKey, err = base64.StdEncoding.DecodeString(kf.HashKey); err != nil {
		return eccs.Keys{}, err
	}
	for _, tk := range kf.TokenKeys {
		secret, err := base64.StdEncoding.DecodeString(tk.Secret)
		if err != nil {
			return eccs.Keys{}, err
		}
		k.TokenKeys = append(k.TokenKeys, eccs.TokenKey{ID: tk.ID, Secret: secret})
	}
	return k, k.Validate()
}

// The perimeters' billing accounts, of a customer of their own.
const (
	benchCustomer = "C9000001"
	smallBA       = "90000001"
	largeBA       = "90000002"
)

// seedPerimeters creates small+large contracts, numbered in one sequence and interleaved (as
// contracts of two customers ordered over the same years would be), on two billing accounts,
// and an administrator account for each billing account with offer FE, and returns their API
// keys.
func seedPerimeters(ctx context.Context, svc *eccs.Service, small, large int) (smallKey, largeKey string, err error) {
	if _, err := svc.CreateCustomer(ctx, eccs.Customer{ID: benchCustomer, Name: "Bench Holding SA", Segment: "large"}); err != nil {
		return "", "", err
	}
	for _, ba := range []string{smallBA, largeBA} {
		if _, err := svc.CreateBillingAccount(ctx, eccs.BillingAccount{ID: ba, CustomerID: benchCustomer, Name: "Bench " + ba}); err != nil {
			return "", "", err
		}
	}
	total := small + large
	jobs := make(chan int)
	var failed atomic.Pointer[error]
	var wg sync.WaitGroup
	created := time.Date(2019, 1, 1, 9, 0, 0, 0, time.UTC)
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				ba := largeBA
				// Bresenham: contract i is small's when the count of small ones steps up.
				if (i+1)*small/total > i*small/total {
					ba = smallBA
				}
				p := i % 500
				_, err := svc.CreateContract(ctx, eccs.NewContract{
					ID:               fmt.Sprintf("OCB%07d", 1000000+i),
					Name:             fmt.Sprintf("BENCH-%06d", i),
					OfferID:          devseed.OfferCode,
					BillingAccountID: ba,
					PlatformID:       fmt.Sprintf("bench-platform-%06d", i),
					Referent: eccs.Person{
						Civility: "Mr", LastName: "Benchmark", FirstName: fmt.Sprintf("Person%03d", p),
						Email: fmt.Sprintf("person%03d@bench.example", p),
					},
					ReferenceExt: [3]string{fmt.Sprintf("PO-%06d", i), "", ""},
					CreatedAt:    created.Add(time.Duration(i) * time.Minute),
				})
				if err != nil {
					err = fmt.Errorf("contract %d: %w", i, err)
					failed.CompareAndSwap(nil, &err)
				}
			}
		}()
	}
	for i := range total {
		if failed.Load() != nil {
			break
		}
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	if e := failed.Load(); e != nil {
		return "", "", *e
	}
	for _, a := range []struct {
		ba  string
		key *string
	}{{smallBA, &smallKey}, {largeBA, &largeKey}} {
		acct, err := svc.CreateAccount(ctx, eccs.NewAccount{
			Type:      eccs.AccountAdministrator,
			Person:    eccs.Person{Civility: "Ms", LastName: "Admin", FirstName: "Bench" + a.ba, Email: "admin." + a.ba + "@bench.example"},
			Login:     "bench.admin." + a.ba,
			Perimeter: eccs.Perimeter{BillingAccountIDs: []string{a.ba}, OfferIDs: []string{devseed.OfferCode}},
		})
		if err != nil {
			return "", "", fmt.Errorf("administrator of %s: %w", a.ba, err)
		}
		if _, *a.key, err = svc.IssueAPIKey(ctx, acct.ID, eccs.KeyOptions{}); err != nil {
			return "", "", err
		}
	}
	return smallKey, largeKey, nil
}

// csvLines returns data lines of real consumption CSVs (docformat's generator, a year of
// the benchmark contract), each with its line end.
func csvLines() ([][]byte, error) {
	var lines [][]byte
	for m := 1; m <= 12; m++ {
		st := docformat.Generate(docformat.Params{
			Seed: "eccs bench", ContractID: devseed.SampleContractID, ContractName: "ACME-PROD",
			CustomerName: "Acme Industries SA", OfferName: docformat.OfferFlexibleEngine,
			Period: docformat.Period{Year: 2024, Month: time.Month(m)}, Currency: "EUR",
		})
		var buf bytes.Buffer
		if err := docformat.WriteConsumptionCSV(&buf, st); err != nil {
			return nil, err
		}
		all := bytes.SplitAfter(buf.Bytes(), []byte("\n"))
		for _, l := range all[1:] { // the header is written once per file
			if len(l) > 0 {
				lines = append(lines, l)
			}
		}
	}
	return lines, nil
}

// writeCSV writes a consumption CSV of exactly size bytes: the header, then the data lines
// over and over, the last one padded (in its free-text Tags column) to end exactly at size.
func writeCSV(path string, size int64, lines [][]byte) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	bw := bufio.NewWriterSize(f, 1<<20)
	bw.WriteString(docformat.ConsumptionHeader + "\n")
	written := int64(len(docformat.ConsumptionHeader) + 1)
	longest := 0
	for _, l := range lines {
		longest = max(longest, len(l))
	}
	for i := 0; ; i++ {
		l := lines[i%len(lines)]
		if size-written-int64(len(l)) < int64(longest) {
			break
		}
		bw.Write(l)
		written += int64(len(l))
	}
	// size-written is now between longest and 2*longest: one padded line fills it.
	fields := strings.Split(strings.TrimSuffix(string(lines[0]), "\n"), ";")
	pad := int(size-written) - len(lines[0])
	if pad < 0 {
		return fmt.Errorf("cannot make a %d-byte CSV", size)
	}
	fields[12] += strings.Repeat("x", pad)
	bw.WriteString(strings.Join(fields, ";") + "\n")
	if err := bw.Flush(); err != nil {
		return err
	}
	return f.Sync()
}

// benchFormats is docformat's checker, except that it accepts consumption CSVs larger than
// docformat.MaxCSVSize unchecked: the 1 GiB download exercises the download path, which an
// operator cannot reach today because the checker refuses the upload.
type benchFormats struct{ docformat.Formats }

func (f benchFormats) Check(t eccs.DocumentType, r io.ReaderAt, size int64) error {
	if size > docformat.MaxCSVSize {
		return nil
	}
	return f.Formats.Check(t, r, size)
}

// addCSV writes a consumption CSV of size bytes and adds it to the contract as an old
// consumption report (so that it does not change the first page of GET /documents). When
// docformat refuses it for its size, it says so in note and stores it with benchFormats.
func addCSV(ctx context.Context, svc *eccs.Service, store eccs.Store, blobs *fileblob.Store, keys eccs.Keys,
	dir, contractID, name string, size int64, lines [][]byte, i int) (benchDoc, string, error) {
	tmp := filepath.Join(dir, "tmp-"+name+".csv")
	defer os.Remove(tmp)
	if err := writeCSV(tmp, size, lines); err != nil {
		return benchDoc{}, "", err
	}
	f, err := os.Open(tmp)
	if err != nil {
		return benchDoc{}, "", err
	}
	defer f.Close()
	period := fmt.Sprintf("2018%02d", i+1)
	nd := eccs.NewDocument{
		ContractID: contractID, Type: eccs.TypeConsumptionRatedReports,
		Filename: fmt.Sprintf("%s_%s_%s.csv", contractID, period, name), Period: period,
		Amount: 123456, Currency: "EUR", CreatedAt: time.Date(2018, time.Month(i+2), 2, 3, 0, 0, 0, time.UTC),
	}
	var note string
	d, err := svc.AddDocument(ctx, nd, f, size)
	if eccs.ErrorCode(err) == eccs.Invalid && size > docformat.MaxCSVSize {
		note = fmt.Sprintf("docformat refuses the %d MiB consumption CSV (%v); the harness stored it with a checker that accepts it, to measure the download path", size>>20, err)
		lenient, nerr := eccs.NewService(store, blobs, eccs.Config{Keys: keys, Formats: benchFormats{}})
		if nerr != nil {
			return benchDoc{}, "", nerr
		}
		d, err = lenient.AddDocument(ctx, nd, f, size)
	}
	if err != nil {
		return benchDoc{}, "", fmt.Errorf("add %s: %w", name, err)
	}
	return benchDoc{Name: name, ID: d.ID, Size: d.Size, Path: filepath.Join(blobs.Root(), filepath.FromSlash(d.BlobKey))}, note, nil
}
