package main

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/eccs/eccs/api"
)

// baselineConfig is what the baseline server answers; the harness writes it after capturing
// eccsd's real answers, so that the baseline sends the same bytes with as many headers.
type baselineConfig struct {
	ClientID     string          `json:"clientId"`
	ClientSecret string          `json:"clientSecret"`
	Answers      []fixedAnswer   `json:"answers"`
	Files        []servedFileRef `json:"files"`
}

// fixedAnswer is an answer captured from eccsd for a request target (path and query).
type fixedAnswer struct {
	Target string      `json:"target"`
	Status int         `json:"status"`
	Header [][2]string `json:"header"` // without Date, which net/http adds
	Body   []byte      `json:"body"`
}

// servedFileRef is a file the baseline serves with http.ServeContent at a target.
type servedFileRef struct {
	Target      string `json:"target"`
	Path        string `json:"path"`
	ContentType string `json:"contentType"`
}

// runBaseline is `bench baseline`: the bare net/http server the measurements are compared
// with. It does the least a server can do for each scenario: for the token endpoint, parse the
// form, check Basic credentials, make a random token and write a ~90-byte JSON answer (the
// bare net/http handler of the anchor measurements of doc/performance.md, which answered about
// 25,000 token requests/s on the 2-core development machine, against about 230 for Ory Hydra);
// for resources, write fixed bytes; for downloads, http.ServeContent of the same file from disk.
func runBaseline(args []string) error {
	fs := flag.NewFlagSet("baseline", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:0", "listen address")
	config := fs.String("config", "", "answers to serve (JSON written by the harness)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var cfg baselineConfig
	if *config != "" {
		b, err := os.ReadFile(*config)
		if err != nil {
			return err
		}
		if err := json.Unmarshal(b, &cfg); err != nil {
			return fmt.Errorf("baseline config: %w", err)
		}
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           newBaselineHandler(cfg),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		IdleTimeout:       120 * time.Second,
	}
	fmt.Printf("baseline listening on %s\n", ln.Addr())
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		<-sig
		srv.Close()
	}()
	if err := srv.Serve(ln); err != http.ErrServerClosed {
		return err
	}
	return nil
}

type answer struct {
	status int
	header http.Header
	body   []byte
}

func newBaselineHandler(cfg baselineConfig) http.Handler {
	answers := map[string]answer{}
	for _, a := range cfg.Answers {
		h := http.Header{}
		for _, kv := range a.Header {
			h[kv[0]] = append(h[kv[0]], kv[1])
		}
		answers[a.Target] = answer{status: a.Status, header: h, body: a.Body}
	}
	files := map[string]servedFileRef{}
	for _, f := range cfg.Files {
		files[f.Target] = f
	}
	id, secret := []byte(cfg.ClientID), []byte(cfg.ClientSecret)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && r.URL.Path == api.TokenPath {
			baselineToken(w, r, id, secret)
			return
		}
		if r.URL.Path == "/healthz" {
			w.WriteHeader(http.StatusOK)
			return
		}
		if a, ok := answers[r.RequestURI]; ok {
			h := w.Header()
			for k, v := range a.header {
				h[k] = v
			}
			w.WriteHeader(a.status)
			w.Write(a.body)
			return
		}
		if f, ok := files[r.RequestURI]; ok {
			file, err := os.Open(f.Path)
			if err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			defer file.Close()
			fi, err := file.Stat()
			if err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			w.Header().Set("Content-Type", f.ContentType)
			http.ServeContent(w, r, "", fi.ModTime(), file)
			return
		}
		http.NotFound(w, r)
	})
}

type baselineTokenAnswer struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int    `json:"expires_in"`
}

// baselineToken is the bare token handler: form parse, Basic check, random token, JSON.
func baselineToken(w http.ResponseWriter, r *http.Request, id, secret []byte) {
	if err := r.ParseForm(); err != nil || r.PostForm.Get("grant_type") != "client_credentials" {
		http.Error(w, `{"error":"invalid_request"}`, http.StatusBadRequest)
		return
	}
	gotID, gotSecret, ok := r.BasicAuth()
	if !ok || subtle.ConstantTimeCompare([]byte(gotID), id) != 1 || subtle.ConstantTimeCompare([]byte(gotSecret), secret) != 1 {
		http.Error(w, `{"error":"invalid_client"}`, http.StatusUnauthorized)
		return
	}
	var raw [32]byte
	rand.Read(raw[:])
	body, _ := json.Marshal(baselineTokenAnswer{
		AccessToken: base64.RawURLEncoding.EncodeToString(raw[:]),
		TokenType:   "Bearer",
		ExpiresIn:   3600,
	})
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	w.Write(body)
}
