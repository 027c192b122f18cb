fn main() -> std::process::ExitCode {
    k8s_nas::cli::main()
}
