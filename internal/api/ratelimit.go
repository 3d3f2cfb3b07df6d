package api

import (
	"net"
	"net/http"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/pkid/pkid/internal/errs"
)

// Limits are the request rate limits of the API. A rate of zero turns that
// limit off.
type Limits struct {
	PerIP       float64 // requests per second from one client address
	PerIdentity float64 // requests per second of one identity
	// LoginFailures is how many failed logins one client id may have per
	// minute before further attempts get 429.
	LoginFailures int
}

// DefaultLimits are generous enough that only a runaway client meets
// them; measured issuance on two cores stays below them.
var DefaultLimits = Limits{PerIP: 2000, PerIdentity: 2000, LoginFailures: 10}

// maxTrackedKeys bounds the memory of one keyed limiter; past it, idle
// entries are dropped.
const maxTrackedKeys = 100_000

// keyedLimiter holds one token bucket per key (an address, an identity id,
// a client id). Buckets live in this process only, so with several
// replicas each one limits on its own.
type keyedLimiter struct {
	mu      sync.Mutex
	limit   rate.Limit
	burst   int
	buckets map[string]*bucket
}

type bucket struct {
	lim  *rate.Limiter
	seen time.Time
}

func newKeyedLimiter(perSecond float64, burst int) *keyedLimiter {
	if perSecond <= 0 {
		return nil
	}
	return &keyedLimiter{limit: rate.Limit(perSecond), burst: burst, buckets: map[string]*bucket{}}
}

// allow takes one token from key's bucket. A nil limiter allows all.
func (k *keyedLimiter) allow(key string) bool {
	if k == nil {
		return true
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	now := time.Now()
	b, ok := k.buckets[key]
	if !ok {
		if len(k.buckets) >= maxTrackedKeys {
			k.evictIdle(now)
		}
		b = &bucket{lim: rate.NewLimiter(k.limit, k.burst)}
		k.buckets[key] = b
	}
	b.seen = now
	return b.lim.AllowN(now, 1)
}

// peek reports whether key's bucket has a token, without taking one.
func (k *keyedLimiter) peek(key string) bool {
	if k == nil {
		return true
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	b, ok := k.buckets[key]
	return !ok || b.lim.TokensAt(time.Now()) >= 1
}

// evictIdle drops buckets unused for a minute, which have refilled anyway.
func (k *keyedLimiter) evictIdle(now time.Time) {
	for key, b := range k.buckets {
		if now.Sub(b.seen) > time.Minute {
			delete(k.buckets, key)
		}
	}
}

// rateLimiters are the API's three limiters.
type rateLimiters struct {
	ip, identity, login *keyedLimiter
}

func newRateLimiters(l Limits) rateLimiters {
	burst := func(perSecond float64) int { return max(1, int(2*perSecond)) }
	r := rateLimiters{
		ip:       newKeyedLimiter(l.PerIP, burst(l.PerIP)),
		identity: newKeyedLimiter(l.PerIdentity, burst(l.PerIdentity)),
	}
	if l.LoginFailures > 0 {
		r.login = newKeyedLimiter(float64(l.LoginFailures)/60, l.LoginFailures)
	}
	return r
}

var errRateLimited = errs.New(errs.RateLimited, "Rate limit exceeded. Please try again later.")

// clientIP is the address the request came from. X-Forwarded-For is not
// trusted: any client could set it to dodge the limit.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// writeRateLimited answers 429 with a Retry-After hint of one second.
func (a *API) writeRateLimited(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Retry-After", "1")
	a.writeError(w, r, errRateLimited)
}
