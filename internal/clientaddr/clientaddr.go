// Package clientaddr says which address a request comes from: the peer's, unless the peer is a
// trusted proxy, in which case the address that proxy (and any trusted proxy before it) saw,
// from X-Forwarded-For. It is the one place of that rule, for every HTTP transport.
package clientaddr

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// Rule resolves client addresses. The zero Rule trusts no proxy: the client is the peer.
type Rule struct {
	trusted []netip.Prefix
}

// Parse returns the Rule that trusts the proxies of list, a comma-separated list of CIDR
// prefixes such as "10.0.0.0/8, 192.168.1.7/32"; an empty list trusts none. It fails, naming
// the bad entry, on anything that is not a CIDR prefix (a bare address must be written /32 or
// /128, so that nobody trusts a whole network by mistake).
func Parse(list string) (Rule, error) {
	var r Rule
	for entry := range strings.SplitSeq(list, ",") {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		p, err := netip.ParsePrefix(entry)
		if err != nil {
			return Rule{}, fmt.Errorf("%q is not a CIDR prefix such as 10.0.0.0/8 or 192.0.2.7/32", entry)
		}
		if p != p.Masked() {
			return Rule{}, fmt.Errorf("%q has bits set beyond its /%d mask; write %s", entry, p.Bits(), p.Masked())
		}
		r.trusted = append(r.trusted, p)
	}
	return r, nil
}

// Trusts reports whether addr is a trusted proxy.
func (r Rule) Trusts(addr netip.Addr) bool {
	addr = addr.Unmap()
	for _, p := range r.trusted {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}

// Of returns the client address of req, without port. When the peer is a trusted proxy, it
// walks X-Forwarded-For from the right (the entry the nearest proxy appended) and returns the
// first address that is not a trusted proxy; an entry that is not an address stops the walk
// there, and the last trusted hop is returned. Entries left of the first untrusted one are the
// client's own word and are never used.
func (r Rule) Of(req *http.Request) string {
	peer, ok := parseAddr(req.RemoteAddr)
	if !ok {
		return req.RemoteAddr
	}
	if !r.Trusts(peer) {
		return peer.String()
	}
	client := peer
	values := req.Header.Values("X-Forwarded-For")
	for i := len(values) - 1; i >= 0; i-- {
		hops := strings.Split(values[i], ",")
		for j := len(hops) - 1; j >= 0; j-- {
			hop, ok := parseAddr(strings.TrimSpace(hops[j]))
			if !ok {
				return client.String()
			}
			client = hop
			if !r.Trusts(hop) {
				return client.String()
			}
		}
	}
	return client.String()
}

// parseAddr parses "ip", "ip:port" or "[ipv6]:port", unmapping IPv4-in-IPv6.
func parseAddr(s string) (netip.Addr, bool) {
	if host, _, err := net.SplitHostPort(s); err == nil {
		s = host
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Addr{}, false
	}
	return a.Unmap().WithZone(""), true
}
