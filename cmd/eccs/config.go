package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
)

// Profile is what `eccs login` saves: where the API is and the credentials to call it.
type Profile struct {
	BaseURL      string `json:"baseUrl"`
	ClientID     string `json:"clientId"`
	ClientSecret string `json:"clientSecret"`
	APIKey       string `json:"apiKey"`
	// Contract is the contract commands use when none is given (optional).
	Contract string `json:"contract,omitempty"`
}

// Config is the configuration file: named profiles and the one used when none is named.
type Config struct {
	DefaultProfile string             `json:"defaultProfile,omitempty"`
	Profiles       map[string]Profile `json:"profiles"`
}

// defaultProfileName is the profile of a first login that names none.
const defaultProfileName = "default"

// configPath returns where the configuration lives: ECCS_CONFIG, else
// $XDG_CONFIG_HOME/eccs/config.json, else ~/.config/eccs/config.json.
func configPath(getenv func(string) string) (string, error) {
	if p := getenv("ECCS_CONFIG"); p != "" {
		return p, nil
	}
	if x := getenv("XDG_CONFIG_HOME"); x != "" && filepath.IsAbs(x) {
		return filepath.Join(x, "eccs", "config.json"), nil
	}
	home := getenv("HOME")
	if home == "" {
		var err error
		if home, err = os.UserHomeDir(); err != nil {
			return "", fmt.Errorf("cannot find the configuration directory: set ECCS_CONFIG or HOME: %w", err)
		}
	}
	return filepath.Join(home, ".config", "eccs", "config.json"), nil
}

// loadConfig reads the configuration file; a file that does not exist is an empty
// configuration. It refuses a file that others than its owner may read: it holds secrets.
func loadConfig(path string) (*Config, error) {
	cfg := &Config{Profiles: map[string]Profile{}}
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return cfg, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if perm := info.Mode().Perm(); perm&0o077 != 0 && runtime.GOOS != "windows" {
		return nil, fmt.Errorf("%s holds secrets but its mode is %04o, so others may read it; run: chmod 600 %s", path, perm, path)
	}
	if err := json.NewDecoder(f).Decode(cfg); err != nil {
		return nil, fmt.Errorf("%s is not a valid eccs configuration: %w", path, err)
	}
	if cfg.Profiles == nil {
		cfg.Profiles = map[string]Profile{}
	}
	return cfg, nil
}

// save writes the configuration to path, readable and writable by its owner only
// (writePrivate).
func (c *Config) save(path string) error {
	data, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return err
	}
	return writePrivate(path, append(data, '\n'))
}

// writePrivate writes data to path, readable and writable by its owner only, in a directory
// made for its owner if need be. It writes a temporary file beside path first and renames it,
// so that an interrupted write never leaves half a file, and a reader sees the old file or the
// new one.
func writePrivate(path string, data []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+"-*") // mode 0600
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o600); err != nil { // CreateTemp's mode, whatever the platform did
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// names returns the profile names, sorted.
func (c *Config) names() []string {
	var names []string
	for n := range c.Profiles {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
