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
	for _, c := range root.Commands() {
		rejectUnknownSubcommands(c)
	}
	return root
}

// rejectUnknownSubcommands makes a command group fail on a mistyped
// subcommand. Cobra would print the group's help and exit 0, so a script
// running "pkid cert revok ID" would see success although nothing was
// revoked.
func rejectUnknownSubcommands(group *cobra.Command) {
	if !group.HasSubCommands() || group.Runnable() {
		return
	}
	group.Args = cobra.ArbitraryArgs
	group.RunE = func(cmd *cobra.Command, args []string) error {
		if len(args) > 0 {
			return fmt.Errorf("unknown command %q for %q; run '%s --help' to list its commands",
				args[0], cmd.CommandPath(), cmd.CommandPath())
		}
		return cmd.Help()
	}
}
