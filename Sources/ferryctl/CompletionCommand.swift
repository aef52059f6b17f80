public import ArgumentParser

/// `ferryctl completion bash|zsh|fish`: prints ArgumentParser's completion script for ferryctl.
struct CompletionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "completion",
        abstract: "Print the shell completion script for bash, zsh or fish.",
        discussion: """
            Install it where the shell looks: bash, ferryctl completion bash > \
            ~/.local/share/bash-completion/completions/ferryctl (or /etc/bash_completion.d/ferryctl); \
            zsh, ferryctl completion zsh > DIR/_ferryctl for a DIR on $fpath; fish, \
            ferryctl completion fish > ~/.config/fish/completions/ferryctl.fish.
            """
    )

    @Argument(help: "The shell: bash, zsh or fish.")
    var shell: CompletionShell

    func run() {
        let script = Ferryctl.completionScript(for: shell)
        print(script, terminator: script.hasSuffix("\n") ? "" : "\n")
    }
}

extension CompletionShell: @retroactive ExpressibleByArgument {}
