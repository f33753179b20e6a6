package netguard

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"
)

func TestBlockedAddresses(t *testing.T) {
	t.Parallel()
	blocked := []string{
		// IPv4 special-purpose registry, one address per entry (and edges).
		"0.0.0.0", "0.1.2.3", "0.255.255.255", "10.1.2.3", "100.64.0.1", "100.127.255.255", "127.0.0.1", "127.255.0.1",
		"169.254.169.254", "172.16.0.1", "172.31.255.255", "192.0.0.8", "192.0.0.170", "192.0.2.1", "192.31.196.1",
		"192.52.193.1", "192.88.99.1", "192.168.1.1", "192.175.48.1", "198.18.0.1", "198.19.255.255", "198.51.100.7",
		"203.0.113.10", "224.0.0.1", "239.255.255.250", "240.0.0.1", "255.255.255.255",
		// IPv6 registry.
		"::", "::1", "::127.0.0.1", "::8.8.8.8", "::ffff:0:7f00:1", "64:ff9b:1::a00:1", "64:ff9b:1::808:808", "100::1",
		"100:0:0:1::1", "2001::1", "2001:0:4136:e378:8000:63bf:3fff:fdd2", "2001:1::1", "2001:db8::1", "2001:20::1",
		"2620:4f:8000::1", "3fff::1", "5f00::1", "fc00::1", "fd00:ec2::254", "fe80::1", "fe80::1%eth0", "fec0::1",
		"ff02::1", "4000::1",
		// IPv6 forms embedding a blocked IPv4 address.
		"::ffff:127.0.0.1", "::ffff:10.0.0.1", "64:ff9b::a00:1", "64:ff9b::7f00:1", "2002:7f00:1::1", "2002:c0a8:101::",
		"2002:a9fe:a9fe::1", "2606:4700::5efe:a9fe:a9fe", "2606:4700::200:5efe:7f00:1",
	}
	for _, a := range blocked {
		if !Blocked(netip.MustParseAddr(a)) {
			t.Errorf("%s is not blocked", a)
		}
	}
	for _, a := range []string{"8.8.8.8", "1.1.1.1", "9.9.9.9", "100.63.255.255", "100.128.0.0", "172.32.0.1", "198.20.0.1",
		"2606:4700::1111", "2a00:1450:4001::200e", "::ffff:8.8.8.8", "64:ff9b::808:808", "2002:808:808::1"} {
		if Blocked(netip.MustParseAddr(a)) {
			t.Errorf("%s is blocked", a)
		}
	}
}

// A URL's host is judged as what a connection to it would reach: numeric
// IPv4 spellings are read as inet_aton reads them, brackets and zones
// removed, a trailing dot ignored; every refusal names the setting that
// lets local receivers through.
func TestCheckURLRefusesEverySpelling(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, u := range []string{
		"https://0.1.2.3/h", "https://[::127.0.0.1]/h", "https://[64:ff9b:1::a00:1]/h", "https://[2002:c0a8:101::1]/h",
		"https://[::ffff:7f00:1]/h", "https://[fe80::1%25eth0]/h", "https://2130706433/h", "https://0x7f.1/h",
		"https://0177.0.0.1/h", "https://127.1/h", "https://0x7f000001/h", "https://localhost./h", "https://api.localhost/h",
		"https://169.254.169.254./h", "https://203.0.113.10/h",
	} {
		err := CheckURL(ctx, u, true, false)
		if err == nil {
			t.Errorf("%s accepted", u)
			continue
		}
		if !strings.Contains(err.Error(), "CIEN_WEBHOOK_ALLOW_PRIVATE") {
			t.Errorf("%s: %v does not name CIEN_WEBHOOK_ALLOW_PRIVATE", u, err)
		}
	}
	for _, u := range []string{"https://1.2.3.4.5/h", "https://256.1.1.1/h", "https://0x1g.1/h", "https://a.123/h"} {
		if err := CheckURL(ctx, u, true, false); err == nil || !strings.Contains(err.Error(), "valid IPv4") {
			t.Errorf("%s: %v, want a refusal as an invalid address", u, err)
		}
	}
	for _, u := range []string{"https://8.8.8.8/h", "https://[2606:4700::1111]/h", "https://134744072/h"} {
		if err := CheckURL(ctx, u, true, false); err != nil {
			t.Errorf("%s refused: %v", u, err)
		}
	}
	if err := CheckURL(ctx, "http://127.0.0.1:9/h", false, true); err != nil {
		t.Errorf("allowPrivate: %v", err)
	}
}

// The dial-time check refuses a blocked address whatever name led to it
// (a name that resolved to a public address when the endpoint was saved).
func TestDialerRefusesBlockedAddresses(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if _, err := Dialer(false, time.Second).DialContext(ctx, "tcp", "localhost:"+portOf(l)); !errors.Is(err, ErrBlocked) {
		t.Fatalf("dial to localhost: %v, want ErrBlocked", err)
	}
	c, err := Dialer(true, time.Second).DialContext(ctx, "tcp", l.Addr().String())
	if err != nil {
		t.Fatalf("allowPrivate dial: %v", err)
	}
	c.Close()
}

func portOf(l net.Listener) string {
	_, p, _ := net.SplitHostPort(l.Addr().String())
	return p
}
