# Polling helpers of the interop and chaos drivers (run.sh, b2bua.sh,
# stacks.sh, ../chaos/chaos.sh source this file). A driver waits for a port
# to be bound or for a line in a log by checking every few tens of
# milliseconds; under valgrind a program takes a second or more to start, and
# a check that started grep and then sleep cost two processes per turn, which
# added up to a good part of the interop suite's CPU time. These run in the
# shell itself.

# nap SECONDS: sleep without starting a process. read times out on a pipe
# that this shell holds open for writing too, so no data and no end of file
# ever arrive on it.
exec {NAP_FD}<> <(:)
nap() {
    read -r -t "$1" -u "$NAP_FD" _ || true
}

# port_in_use PORT: whether a UDP socket is bound to PORT on this host,
# from /proc/net/udp and udp6 (Linux), whose second field is the local
# address as HEXADDR:HEXPORT.
port_in_use() {
    local hex f local_addr
    printf -v hex '%04X' "$1"
    for f in /proc/net/udp /proc/net/udp6; do
        [ -r "$f" ] || continue
        while read -r _ local_addr _; do
            [[ "$local_addr" == *":$hex" ]] && return 0
        done <"$f"
    done
    return 1
}

# log_has FILE REGEX: whether a line of FILE matches the extended regular
# expression REGEX (as grep -E would; a last line without its newline yet
# counts too).
log_has() {
    local line
    [ -r "$1" ] || return 1
    while IFS= read -r line || [ -n "$line" ]; do
        [[ "$line" =~ $2 ]] && return 0
    done <"$1"
    return 1
}
