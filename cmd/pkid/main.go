// Command pkid is a private certificate authority server and its client.
package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"
)

func main() {
	if err := newRootCommand().Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "Error:", err)
		os.Exit(1)
	}
}

func newRootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "pkid",
		Short: "pkid is a private certificate authority server",
		Example: `  pkid serve
  pkid login --client-id ID --client-secret -
  pkid ca list --project ID`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(newServeCommand())
	root.AddCommand(newLoginCommand())
	root.AddCommand(newProjectCommand())
	root.AddCommand(newCACommand())
	root.AddCommand(newCertCommand())
	root.AddCommand(newCRLCommand())
	root.AddCommand(newBenchCommand())
	return root
}
