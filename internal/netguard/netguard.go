// Package netguard keeps outbound requests made for tenants (webhook
// deliveries) away from the platform's own network: every address of the
// IANA special-purpose registries (loopback, private, link-local and cloud
// metadata, shared, documentation, multicast, reserved, and IPv6 forms
// embedding any of them) is refused when a URL is accepted and again when a connection is made,
// so a name that resolves elsewhere later (DNS rebinding) gains nothing.
package netguard

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Blocked reports whether ip is an address tenants' requests must not
// reach: any entry of the IANA special-purpose registries (ranges.go),
// IPv6 outside global unicast, and any IPv6 form embedding an IPv4 address
// that is itself blocked.
func Blocked(ip netip.Addr) bool {
	if !ip.IsValid() {
		return true
	}
	ip = ip.WithZone("")
	if v4, ok := embedded(ip); ok {
		if Blocked(v4) {
			return true
		}
		if ip.Is4In6() {
			return false
		}
	}
	if ip.Is4() {
		return inAny(specialIPv4, ip)
	}
	return !globalUnicast.Contains(ip) && !nat64.Contains(ip) || inAny(specialIPv6, ip)
}

func inAny(ps []netip.Prefix, ip netip.Addr) bool {
	return slices.ContainsFunc(ps, func(p netip.Prefix) bool { return p.Contains(ip) })
}

// CheckURL says what is wrong with raw as a receiver's URL, or returns nil.
// httpsOnly refuses http; allowPrivate lets local receivers through
// (tests, a sandbox on a developer's machine).
func CheckURL(ctx context.Context, raw string, httpsOnly, allowPrivate bool) error {
	u, err := url.Parse(raw)
	if err != nil || !u.IsAbs() || u.Host == "" || u.Opaque != "" {
		return errors.New("The url must be an absolute URL such as https://example.com/webhooks.")
	}
	switch {
	case u.Scheme != "https" && u.Scheme != "http":
		return errors.New("The url must use https.")
	case u.Scheme == "http" && httpsOnly:
		return errors.New("Live endpoints must use https; http is accepted only in the sandbox.")
	case u.User != nil:
		return errors.New("The url must not carry credentials; verify deliveries by their signature.")
	case u.Fragment != "":
		return errors.New("The url must not have a fragment.")
	}
	if allowPrivate {
		return nil
	}
	host := strings.TrimSuffix(u.Hostname(), ".")
	ip, err := netip.ParseAddr(host)
	if err != nil {
		ip, err = parseNumericIPv4(host)
	}
	if err != nil {
		return err
	}
	if ip.IsValid() {
		if Blocked(ip) {
			return fmt.Errorf("The url points at %s, %s", ip, refusal)
		}
		return nil
	}
	if strings.EqualFold(host, "localhost") || strings.HasSuffix(strings.ToLower(host), ".localhost") {
		return fmt.Errorf("The url points at localhost, %s", refusal)
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	addrs, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
	if err != nil || len(addrs) == 0 {
		return fmt.Errorf("The url's host %s does not resolve.", host)
	}
	for _, ip := range addrs {
		if Blocked(ip) {
			return fmt.Errorf("The url's host %s resolves to %s, %s", host, ip.Unmap(), refusal)
		}
	}
	return nil
}

// refusal ends every refused address's message: what the address is, and
// the operator setting that lets local receivers through.
const refusal = "a loopback, private, link-local or other special-purpose address; endpoints must be reachable on the public internet. " +
	"To deliver to a receiver on your own machine or network, the server's operator starts it with CIEN_WEBHOOK_ALLOW_PRIVATE=true."

// parseNumericIPv4 reads a host made of numbers the way browsers and
// inet_aton do (WHATWG URL's IPv4 parser: one to four parts, each decimal,
// octal with a leading 0, or hex with 0x; the last part fills the
// remaining bytes), so that 2130706433, 0x7f.1 or 0177.0.0.1 are judged as
// the 127.0.0.1 they reach. A host whose last label is not numeric is a
// name: it returns the zero Addr and no error.
func parseNumericIPv4(host string) (netip.Addr, error) {
	parts := strings.Split(host, ".")
	if _, numeric := parseIPv4Part(parts[len(parts)-1]); !numeric {
		return netip.Addr{}, nil
	}
	bad := fmt.Errorf("The url's host %s is neither a name nor a valid IPv4 address.", host)
	if len(parts) > 4 {
		return netip.Addr{}, bad
	}
	nums := make([]uint64, len(parts))
	for i, p := range parts {
		n, ok := parseIPv4Part(p)
		if !ok {
			return netip.Addr{}, bad
		}
		nums[i] = n
	}
	var v uint64
	for i, n := range nums[:len(nums)-1] {
		if n > 255 {
			return netip.Addr{}, bad
		}
		v |= n << (8 * (3 - i))
	}
	last := nums[len(nums)-1]
	if last >= 1<<(8*(5-len(nums))) {
		return netip.Addr{}, bad
	}
	v |= last
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}), nil
}

func parseIPv4Part(p string) (uint64, bool) {
	base := 10
	switch {
	case len(p) >= 2 && (p[:2] == "0x" || p[:2] == "0X"):
		base, p = 16, p[2:]
		if p == "" {
			return 0, true
		}
	case len(p) > 1 && p[0] == '0':
		base, p = 8, p[1:]
	}
	if p == "" {
		return 0, false
	}
	n, err := strconv.ParseUint(p, base, 64)
	return n, err == nil && n <= 0xffffffff
}

// ErrBlocked is the dial error for a refused address.
var ErrBlocked = errors.New("refused: the address is loopback, private, link-local or reserved")

// Dialer connects only to addresses Blocked allows (all, with
// allowPrivate). The check runs on the resolved address of each
// connection attempt.
func Dialer(allowPrivate bool, timeout time.Duration) *net.Dialer {
	d := &net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second}
	if !allowPrivate {
		d.Control = func(network, address string, _ syscall.RawConn) error {
			ap, err := netip.ParseAddrPort(address)
			if err != nil {
				return fmt.Errorf("%w: %s", ErrBlocked, address)
			}
			if Blocked(ap.Addr()) {
				return fmt.Errorf("%w: %s", ErrBlocked, ap.Addr())
			}
			return nil
		}
	}
	return d
}
