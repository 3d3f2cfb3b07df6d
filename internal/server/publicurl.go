package server

import (
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"strings"
)

// resolvePublicURL returns the base URL that issued certificates point
// their CRL and CA issuer URLs at: the configured one, checked, or
// http://<listen address>.
func resolvePublicURL(configured string, listenAddr net.Addr, log *slog.Logger) (string, error) {
	if configured == "" {
		host, _, _ := net.SplitHostPort(listenAddr.String())
		if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
			log.Warn("no public URL set and the listen address is a wildcard; issued certificates will carry unreachable CRL URLs; set --public-url",
				"listen", listenAddr.String())
		}
		return "http://" + listenAddr.String(), nil
	}
	return checkPublicURL(configured)
}

// checkPublicURL returns a configured public URL without a trailing slash,
// or an error naming what is wrong with it.
func checkPublicURL(configured string) (string, error) {
	u, err := url.Parse(configured)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
		u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("invalid public URL %q: use http:// or https:// with a host and no query", configured)
	}
	return strings.TrimRight(configured, "/"), nil
}
