package netguard

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"testing"
	"time"
)

func TestBlockedAddresses(t *testing.T) {
	for _, a := range []string{"127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "::1", "fe80::1", "fc00::1",
		"100.64.0.1", "0.0.0.0", "::ffff:127.0.0.1", "64:ff9b::a00:1", "224.0.0.1"} {
		if !Blocked(netip.MustParseAddr(a)) {
			t.Errorf("%s is not blocked", a)
		}
	}
	for _, a := range []string{"203.0.113.10", "8.8.8.8", "2606:4700::1111"} {
		if Blocked(netip.MustParseAddr(a)) {
			t.Errorf("%s is blocked", a)
		}
	}
}

// The dial-time check refuses a blocked address whatever name led to it
// (a name that resolved to a public address when the endpoint was saved).
func TestDialerRefusesBlockedAddresses(t *testing.T) {
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
