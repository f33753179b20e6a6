package netguard

import "net/netip"

// The IANA special-purpose address registries (iana-ipv4-special-registry
// and iana-ipv6-special-registry, as of 2025), every entry refused: none of
// them is where a tenant's webhook receiver lives, and most are not globally
// reachable. IPv6 forms that embed an IPv4 address are unwrapped and judged
// by that address first (embedded in Blocked); IPv6 outside 2000::/3, the
// global unicast space, is refused whatever it is.
var specialIPv4 = prefixes(
	"0.0.0.0/8",          // "this network" (RFC 791): 0.x.y.z reaches the host itself on Linux
	"10.0.0.0/8",         // private use (RFC 1918)
	"100.64.0.0/10",      // shared address space, CGNAT (RFC 6598)
	"127.0.0.0/8",        // loopback
	"169.254.0.0/16",     // link local, cloud metadata
	"172.16.0.0/12",      // private use
	"192.0.0.0/24",       // IETF protocol assignments (DS-Lite, PCP/TURN anycast, NAT64 discovery …)
	"192.0.2.0/24",       // documentation, TEST-NET-1
	"192.31.196.0/24",    // AS112-v4
	"192.52.193.0/24",    // AMT
	"192.88.99.0/24",     // deprecated 6to4 relay anycast
	"192.168.0.0/16",     // private use
	"192.175.48.0/24",    // direct delegation AS112 service
	"198.18.0.0/15",      // benchmarking
	"198.51.100.0/24",    // documentation, TEST-NET-2
	"203.0.113.0/24",     // documentation, TEST-NET-3
	"224.0.0.0/4",        // multicast (its own registry)
	"240.0.0.0/4",        // reserved
	"255.255.255.255/32", // limited broadcast
)

var specialIPv6 = prefixes(
	"2001::/23",         // IETF protocol assignments: Teredo, PCP/TURN anycast, AMT, AS112, ORCHIDv2, DRIP …
	"2001:db8::/32",     // documentation
	"2620:4f:8000::/48", // direct delegation AS112 service
	"3fff::/20",         // documentation (RFC 9637)
	"fd00:ec2::254/128", // AWS metadata over IPv6 (inside fc00::/7; named for the reader)
)

// globalUnicast is the only IPv6 space addresses are handed out from; the
// registry's other entries (::/128, ::1, ::/96 IPv4-compatible, 64:ff9b:1::/48
// local-use NAT64, 100::/64 discard, 100:0:0:1::/64 dummy, 5f00::/16 SRv6,
// fc00::/7 unique local, fe80::/10 link local, fec0::/10 site local,
// ff00::/8 multicast) all lie outside it.
var globalUnicast = netip.MustParsePrefix("2000::/3")

var (
	nat64      = netip.MustParsePrefix("64:ff9b::/96") // RFC 6052 well-known prefix: the IPv4 address in the last 32 bits
	translated = netip.MustParsePrefix("::ffff:0:0:0/96")
	sixToFour  = netip.MustParsePrefix("2002::/16") // RFC 3056: the IPv4 address in bits 16-47
)

// embedded is the IPv4 address an IPv6 address carries, in every form that
// routes to it: IPv4-mapped (::ffff:a.b.c.d), IPv4-translated
// (::ffff:0:a.b.c.d), NAT64's well-known prefix, 6to4 and ISATAP interface
// identifiers (…:0:5efe:a.b.c.d, …:200:5efe:a.b.c.d).
func embedded(ip netip.Addr) (netip.Addr, bool) {
	if !ip.Is6() {
		return netip.Addr{}, false
	}
	b := ip.As16()
	last := netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]})
	switch {
	case ip.Is4In6(), translated.Contains(ip), nat64.Contains(ip):
		return last, true
	case sixToFour.Contains(ip):
		return netip.AddrFrom4([4]byte{b[2], b[3], b[4], b[5]}), true
	case b[8]&^0x03 == 0 && b[9] == 0 && b[10] == 0x5e && b[11] == 0xfe: // ISATAP, either u/g bit
		return last, true
	}
	return netip.Addr{}, false
}

func prefixes(ss ...string) []netip.Prefix {
	out := make([]netip.Prefix, len(ss))
	for i, s := range ss {
		out[i] = netip.MustParsePrefix(s)
	}
	return out
}
