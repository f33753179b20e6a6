// Package netguard keeps outbound requests made for tenants (webhook
// deliveries) away from the platform's own network: loopback, private,
// link-local (cloud metadata), shared, multicast and unspecified addresses
// are refused when a URL is accepted and again when a connection is made,
// so a name that resolves elsewhere later (DNS rebinding) gains nothing.
package netguard

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"
)

// blocked ranges beyond what netip's predicates name.
var blocked = []netip.Prefix{
	netip.MustParsePrefix("100.64.0.0/10"),     // shared address space (CGNAT)
	netip.MustParsePrefix("192.0.0.0/24"),      // IETF protocol assignments
	netip.MustParsePrefix("198.18.0.0/15"),     // benchmarking
	netip.MustParsePrefix("240.0.0.0/4"),       // reserved
	netip.MustParsePrefix("64:ff9b::/96"),      // NAT64 of any IPv4, private included
	netip.MustParsePrefix("fd00:ec2::254/128"), // AWS metadata over IPv6
}

// Blocked reports whether ip is an address tenants' requests must not reach.
func Blocked(ip netip.Addr) bool {
	ip = ip.Unmap()
	if ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsInterfaceLocalMulticast() || ip.IsMulticast() || ip.IsUnspecified() || !ip.IsValid() {
		return true
	}
	for _, p := range blocked {
		if p.Contains(ip) {
			return true
		}
	}
	return false
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
	host := u.Hostname()
	if ip, err := netip.ParseAddr(host); err == nil {
		if Blocked(ip) {
			return fmt.Errorf("The url points at %s, a loopback, private, link-local or reserved address; endpoints must be reachable on the public internet.", ip)
		}
		return nil
	}
	if strings.EqualFold(host, "localhost") || strings.HasSuffix(strings.ToLower(host), ".localhost") {
		return errors.New("The url points at localhost; endpoints must be reachable on the public internet.")
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	addrs, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
	if err != nil || len(addrs) == 0 {
		return fmt.Errorf("The url's host %s does not resolve.", host)
	}
	for _, ip := range addrs {
		if Blocked(ip) {
			return fmt.Errorf("The url's host %s resolves to %s, a loopback, private, link-local or reserved address; endpoints must be reachable on the public internet.", host, ip.Unmap())
		}
	}
	return nil
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
