package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/pkid/pkid/internal/client"
)

func newCRLCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:     "crl",
		Short:   "Read certificate revocation lists",
		Example: `  pkid crl get 7c2e… > web-issuing.crl.pem`,
	}
	f := addClientFlags(cmd)
	cmd.AddCommand(newCRLGetCommand(f))
	return cmd
}

func newCRLGetCommand(f *clientFlags) *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "get CA_ID",
		Short: "Print or write the newest CRL of a CA",
		Long: `Print the newest CRL of a CA in PEM, or write it to DIR/crl.pem with --out.
With -o json it prints every CRL of the CA as the server returns them,
newest first.`,
		Example: `  pkid crl get 7c2e… > crl.pem
  pkid crl get 7c2e… --out ./web-issuing
  pkid crl get 7c2e… | openssl crl -noout -text`,
		Args: cobra.ExactArgs(1),
	}
	cmd.Flags().StringVar(&out, "out", "", "directory to write crl.pem to instead of printing it")
	cmd.RunE = f.run(func(ctx context.Context, c *client.Client, args []string) error {
		crls, raw, err := c.CRLs(ctx, args[0])
		if err != nil {
			return err
		}
		asJSON, _ := f.json()
		if asJSON {
			if err := printRaw(cmd.OutOrStdout(), raw); err != nil {
				return err
			}
		}
		if len(crls) == 0 {
			return fmt.Errorf("CA %s has no CRL", args[0])
		}
		newest := crls[0].CRL
		if out != "" {
			return writeOutFiles(out, []outFile{{name: "crl.pem", content: newest}}, cmd.ErrOrStderr())
		}
		if !asJSON {
			_, err = fmt.Fprintln(cmd.OutOrStdout(), newest)
		}
		return err
	})
	return cmd
}
