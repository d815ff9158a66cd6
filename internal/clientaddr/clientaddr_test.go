package clientaddr_test

import (
	"net/http"
	"testing"

	"github.com/eccs/eccs/internal/clientaddr"
)

func TestClientAddressComesFromForwardedForOnlyBehindTrustedProxies(t *testing.T) {
	rule, err := clientaddr.Parse("10.0.0.0/8, 2001:db8::/32")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, peer string
		forwarded  []string
		want       string
	}{
		{"untrusted peer is the client, whatever it forwards", "203.0.113.9:5000", []string{"198.51.100.1"}, "203.0.113.9"},
		{"trusted peer without header is the client", "10.1.2.3:443", nil, "10.1.2.3"},
		{"trusted peer gives the address it saw", "10.1.2.3:443", []string{"198.51.100.1"}, "198.51.100.1"},
		{"entries left of the first untrusted one are ignored", "10.1.2.3:443", []string{"6.6.6.6, 198.51.100.1, 10.9.9.9"}, "198.51.100.1"},
		{"several header lines are one list", "10.1.2.3:443", []string{"198.51.100.1", "10.9.9.9"}, "198.51.100.1"},
		{"garbage stops the walk at the last trusted hop", "10.1.2.3:443", []string{"198.51.100.1, not-an-ip"}, "10.1.2.3"},
		{"IPv6 peer and IPv4-mapped hop", "[2001:db8::1]:443", []string{"::ffff:198.51.100.4"}, "198.51.100.4"},
		{"only trusted hops give the leftmost", "10.1.2.3:443", []string{"10.0.0.1, 10.0.0.2"}, "10.0.0.1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := &http.Request{RemoteAddr: tc.peer, Header: http.Header{}}
			for _, v := range tc.forwarded {
				r.Header.Add("X-Forwarded-For", v)
			}
			if got := rule.Of(r); got != tc.want {
				t.Errorf("Of = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestParseRefusesWhatIsNotACIDRPrefix(t *testing.T) {
	for _, bad := range []string{"10.0.0.1", "10.0.0.0/33", "10.0.0.1/8", "example.com/8", "10.0.0.0/8,,x"} {
		if _, err := clientaddr.Parse(bad); err == nil {
			t.Errorf("Parse(%q) accepted it", bad)
		}
	}
	if _, err := clientaddr.Parse(" 10.0.0.0/8 , ::1/128 "); err != nil {
		t.Errorf("Parse refused a good list: %v", err)
	}
}
