package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/pkid/pkid/internal/loadtest"
)

func newBenchCommand() *cobra.Command {
	var cfg loadtest.Config
	var secretArg string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Measure how fast a running pkid server signs certificates",
		Long: `Send sign-certificate, issue-certificate or CA renewal requests to a running
pkid server from --concurrency clients, for --duration or until --count
requests are done, and print the throughput, the latency percentiles of
the successful requests and the number of failed ones. CSRs are generated
before the timed part; a sign run cycles through 64 of them.

After the run, the same signing work (a CSR signature check plus
x509.CreateCertificate with a CA key of the CA's algorithm) is timed in
this process on every core; the ratio of the server's throughput to that
rate shows how much the server adds. Run bench on the server's machine
for the ratio to mean that.

With --rate, the run is open-loop: requests are sent at that many per
second, spread evenly, whether or not earlier ones have finished, and
--concurrency caps the requests in flight. A request whose scheduled time
finds --concurrency requests in flight is dropped, not sent; one sent more
than 1 ms after its scheduled time is counted as late. Latency is measured
from when a request is sent. Requests in flight when the schedule ends
run to completion.

--op renew sends renewals of one root CA, each asking for a notAfter one
second later than the one before. Renewals of a CA are serialized by the
server, so with --concurrency above 1 a renewal that arrives after a later
one is rejected and counted as an error.

The command exits with status 1 when any request failed.`,
		Example: `  pkid bench --server http://127.0.0.1:8080 --client-id 6f1c… --client-secret - --ca 2d0b… --concurrency 16 --duration 10s < secret.txt
  pkid bench --ca 2d0b… --op issue --count 1000 --json
  pkid bench --ca 2d0b… --rate 800 --concurrency 64 --duration 10s`,
		Args: cobra.NoArgs,
	}
	f := cmd.Flags()
	f.StringVar(&cfg.Server, "server", envOr("PKID_ADDR", defaultServer), "pkid server address, http(s)://host:port (env PKID_ADDR)")
	f.StringVar(&cfg.ClientID, "client-id", os.Getenv("PKID_CLIENT_ID"), "universal-auth client id to log in with (env PKID_CLIENT_ID)")
	f.StringVar(&secretArg, "client-secret", "", "client secret, or - to read it from standard input (env PKID_CLIENT_SECRET)")
	f.StringVar(&cfg.CAID, "ca", "", "id of the CA that signs (or, for --op renew, is renewed)")
	f.StringVar(&cfg.Op, "op", loadtest.OpSign, "request to send: sign, issue or renew")
	f.IntVar(&cfg.Concurrency, "concurrency", 16, "number of clients sending requests at once")
	f.DurationVar(&cfg.Duration, "duration", 10*time.Second, "how long to send requests, e.g. 10s; ignored with --count")
	f.IntVar(&cfg.Count, "count", 0, "number of requests to send; 0 means run for --duration")
	f.StringVar(&cfg.LeafKeyAlgorithm, "key-algorithm", "EC_prime256v1",
		"key algorithm of the CSRs: RSA_2048, RSA_3072, RSA_4096, EC_prime256v1, EC_secp384r1 or EC_secp521r1")
	f.StringVar(&cfg.AckedFile, "acked-file", "", "file to append the serial number of every acknowledged certificate to, one per line, fsynced as responses arrive")
	f.DurationVar(&cfg.RenewEvery, "renew-every", 0, "renew the CA at this interval during a sign or issue run, e.g. 2s; 0 never renews")
	f.DurationVar(&cfg.RawDuration, "raw-duration", 2*time.Second, "how long to time the in-process signing rate; 0 skips it")
	f.Float64Var(&cfg.Rate, "rate", 0, "send this many requests per second whatever the server's pace (open loop), at most --concurrency in flight; 0 sends each client's next request when its last one returns")
	f.BoolVar(&asJSON, "json", false, "print one JSON object: op, concurrency, count, errors, throughput, latencyMs, rawRate, ratio, and openLoop with --rate")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		if cfg.ClientID == "" {
			return errors.New("missing --client-id (or PKID_CLIENT_ID)")
		}
		secret, err := readSecret(secretArg, cmd.InOrStdin())
		if err != nil {
			return err
		}
		cfg.ClientSecret = secret
		cfg.Server = strings.TrimRight(cfg.Server, "/")
		res, det, err := loadtest.Run(cmd.Context(), cfg)
		if err != nil {
			return err
		}
		if asJSON {
			if err := json.NewEncoder(cmd.OutOrStdout()).Encode(res); err != nil {
				return err
			}
		} else {
			printBench(cmd.OutOrStdout(), res, det)
		}
		if res.Errors > 0 || det.RenewalErrors > 0 {
			return fmt.Errorf("%d of %d requests and %d of %d renewals failed; first errors: %s",
				res.Errors, res.Count+res.Errors, det.RenewalErrors, det.Renewals, strings.Join(det.FirstErrors, " | "))
		}
		return nil
	}
	return cmd
}

func printBench(w io.Writer, res loadtest.Result, det loadtest.Details) {
	fmt.Fprintf(w, "op %s, concurrency %d, CA key %s, %s\n", res.Op, res.Concurrency, det.CAKeyAlgorithm, det.Elapsed.Round(time.Millisecond))
	fmt.Fprintf(w, "requests:   %d succeeded, %d failed\n", res.Count, res.Errors)
	fmt.Fprintf(w, "throughput: %.1f/s\n", res.Throughput)
	fmt.Fprintf(w, "latency ms: p50 %.2f  p90 %.2f  p99 %.2f  max %.2f\n",
		res.LatencyMs.P50, res.LatencyMs.P90, res.LatencyMs.P99, res.LatencyMs.Max)
	if ol := res.OpenLoop; ol != nil {
		fmt.Fprintf(w, "open loop:  %.1f/s requested, %d scheduled, %d dropped, %d late (max %.2f ms)\n",
			ol.Rate, ol.Scheduled, ol.Dropped, ol.Late, ol.MaxLateMs)
	}
	if det.Renewals > 0 {
		fmt.Fprintf(w, "renewals:   %d, %d failed\n", det.Renewals, det.RenewalErrors)
	}
	if res.RawRate > 0 {
		fmt.Fprintf(w, "in-process: %.1f/s on %d cores, %.1f/s on 1 core; server/in-process ratio %.3f\n",
			res.RawRate, det.Cores, det.RawRateOneCore, res.Ratio)
	}
}
