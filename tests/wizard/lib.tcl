# SPDX-License-Identifier: MIT
# Helpers for the wizard's expect tests; source it first:
#   source [file join [file dirname [info script]] lib.tcl]
# It makes a private temporary folder ($T, removed at exit unless
# DS_KEEP_TMP is set), pins the pty to 80x24 and asks the wizard to dump
# its screen as text after each redraw (DISKSEED_TEST_DUMP), which the
# tests poll: they wait for a condition, never for a fixed time.

set timeout 20
set stty_init "rows 24 columns 80"
log_user 0

foreach v {top_srcdir top_builddir DISKSEED} {
	if {![info exists env($v)]} {
		puts stderr "run through make check ($v is not set)"
		exit 99
	}
}
set T [exec mktemp -d [file join [expr {[info exists env(TMPDIR)] ? \
    $env(TMPDIR) : "/tmp"}] ds-wiz.XXXXXX]]
set env(XDG_STATE_HOME) "$T/state"
set env(HOME) "$T/home"
file mkdir $env(HOME)
set env(DISKSEED_LOCALEDIR) "$env(top_builddir)/po/locale"
set env(DISKSEED_TEST_DUMP) "$T/screen"
set env(TERM) xterm-256color
catch {unset env(NO_COLOR)}
catch {unset env(DISKSEED_ASCII)}
set ds_cleanup {}
set ds_raw ""

proc ds_at_exit {script} {
	global ds_cleanup
	set ds_cleanup [linsert $ds_cleanup 0 $script]
}

exit -onexit {
	global T ds_cleanup env
	foreach s $ds_cleanup { catch {uplevel #0 $s} }
	if {[info exists env(DS_KEEP_TMP)]} {
		puts stderr "kept $T"
	} else {
		catch {exec rm -rf $T}
	}
}

proc fail {msg} {
	global T
	puts stderr "FAIL: $msg"
	if {[file exists "$T/screen"]} {
		puts stderr "--- last screen"
		puts stderr [ds_read "$T/screen"]
	}
	exit 1
}

proc ok {msg} { puts "ok: $msg" }

proc ds_read {path} {
	if {[catch {open $path r} f]} { return "" }
	fconfigure $f -encoding utf-8
	set s [read $f]
	close $f
	return $s
}

# Starts the wizard with ARGS in the pty; the environment is the caller's.
proc ds_spawn {args} {
	global DISKSEED env T spawn_id ds_raw ds_slave
	set DISKSEED $env(DISKSEED)
	file delete "$T/screen"
	set ds_raw ""
	if {[info exists env(DS_RUN_AS)]} {
		# DS_RUN_AS: "UID GID", to run the wizard unprivileged.
		lassign $env(DS_RUN_AS) uid gid
		eval spawn -noecho setpriv --reuid=$uid --regid=$gid \
		    --clear-groups $DISKSEED $args
	} else {
		eval spawn -noecho $DISKSEED $args
	}
	set ds_slave $spawn_out(slave,name)
	ds_at_exit "catch {exec kill [exp_pid -i $spawn_id]}"
}

# Reads what the program wrote so far (the pty must not fill up).
proc ds_drain {} {
	global spawn_id ds_raw
	expect {
		-timeout 0
		-re ".+" { append ds_raw $expect_out(buffer); exp_continue }
		eof { return eof }
		timeout { }
	}
	return ""
}

# Polls the screen dump until it matches the regular expression RE;
# returns the screen, fails after SECS seconds.
proc wait_screen {re {secs 20}} {
	global T
	set end [expr {[clock milliseconds] + $secs * 1000}]
	while {1} {
		set s [ds_read "$T/screen"]
		if {[regexp -- $re $s]} { return [ds_uncut $s] }
		if {[ds_drain] eq "eof"} {
			set s [ds_read "$T/screen"]
			if {[regexp -- $re $s]} { return $s }
			fail "the wizard ended before the screen matched /$re/"
		}
		if {[clock milliseconds] > $end} {
			fail "no screen matched /$re/ within $secs s"
		}
		after 50
	}
}

# Returns the screen S, or fails when the wizard cut text on it (the dump
# then has a line "clipped N: TEXT" in its header): every text on every
# screen must fit at 80x24, in every language.
proc ds_uncut {s} {
	if {[regexp -line {^clipped ([0-9]+): (.*)$} $s -> n what]} {
		fail "$n text(s) cut on the screen, first: \"$what\""
	}
	return $s
}

# Fails if the screen (as it is now) matches RE.
proc screen_lacks {re what} {
	global T
	if {[regexp -- $re [ds_read "$T/screen"]]} { fail $what }
}

# Sends keys to the wizard.
proc keys {s} {
	global spawn_id
	send -- $s
}

# A named key as the terminal $env(TERM) sends it in keypad mode, from
# terminfo: key up, key f1, key esc...
proc key {name} {
	global env
	switch -- $name {
		esc { set seq "\033" }
		ctrlc { set seq "\003" }
		enter { set seq "\r" }
		tab { set seq "\t" }
		backspace { set seq "\177" }
		default {
			array set cap {up kcuu1 down kcud1 left kcub1
			    right kcuf1 f1 kf1 f2 kf2 f3 kf3 f10 kf10 home khome end kend
			    pgup kpp pgdn knp}
			set seq [exec tput -T$env(TERM) $cap($name)]
		}
	}
	keys $seq
}

# Waits for the wizard to end; returns its exit status.
proc wait_exit {{secs 20}} {
	global spawn_id ds_raw
	set end [expr {[clock milliseconds] + $secs * 1000}]
	while {[ds_drain] ne "eof"} {
		if {[clock milliseconds] > $end} { fail "the wizard did not end" }
		after 50
	}
	set st [wait -i $spawn_id]
	# Killed by a signal (a crash, a sanitizer's abort): 128 + signal,
	# as the shell says; wait's status field is 0 then.
	if {[lindex $st 4] eq "CHILDKILLED"} {
		set sigs {SIGHUP 1 SIGINT 2 SIGQUIT 3 SIGILL 4 SIGTRAP 5 SIGABRT 6
		    SIGBUS 7 SIGFPE 8 SIGKILL 9 SIGSEGV 11 SIGPIPE 13 SIGTERM 15}
		set n [expr {[dict exists $sigs [lindex $st 5]] ?
		    [dict get $sigs [lindex $st 5]] : 0}]
		return [expr {128 + $n}]
	}
	return [lindex $st 3]
}

# Resizes the pty (the kernel sends SIGWINCH to the wizard).
proc resize {rows cols} {
	global ds_slave
	exec stty rows $rows columns $cols < $ds_slave
}

# Moves the selection of the drives screen to device DEV (e.g. /dev/loop3)
# and presses Enter. Rows are counted in the screen dump, since other
# tests may have loop devices of their own, and counted again when the
# list changes under the keys (hot-plug by a test running in parallel);
# once on DEV the selection stays there. WANT is what the screen says of
# the drive once selected.
proc choose_drive {dev {want "can be used"}} {
	global T
	wait_screen "screen drives.*\[│|\]  [string map {/ \\/} $dev] "
	for {set try 0} {$try < 20} {incr try} {
		set s [ds_read "$T/screen"]
		set rows {}
		foreach r [regexp -all -inline -line {^[│|]  /dev/[^ ]+} $s] {
			lappend rows [lindex [split $r " "] end]
		}
		set t [lsearch -exact $rows $dev]
		if {$t < 0} { fail "$dev is not listed" }
		catch {unset cur}
		# The line under the list names the selected drive (one space
		# in, where list rows have two), in any language.
		if {![regexp -line {^[│|] (/dev/[^ ]+) } $s -> cur]} {
			catch {unset cur}
			key up
		} elseif {$cur eq $dev} {
			wait_screen "$dev $want"
			key enter
			return
		} else {
			set d [expr {$t - [lsearch -exact $rows $cur]}]
			for {set k 0} {$k < abs($d)} {incr k} {
				key [expr {$d > 0 ? "down" : "up"}]
			}
		}
		# Wait for the keys to land (on DEV, or on some drive after the
		# first Up) before looking again.
		set end [expr {[clock milliseconds] + 2000}]
		while {[clock milliseconds] < $end} {
			after 50
			ds_drain
			set n [ds_read "$T/screen"]
			if {[regexp -line "^\[│|\] $dev " $n]} {
				break
			}
			if {![info exists cur] &&
			    [regexp -line {^[│|] /dev/[^ ]+ } $n]} {
				break
			}
		}
	}
	fail "could not select $dev"
}

# Polls the screen dump until it no longer matches RE.
proc wait_gone {re {secs 20}} {
	global T
	set end [expr {[clock milliseconds] + $secs * 1000}]
	while {[regexp -- $re [ds_read "$T/screen"]]} {
		if {[ds_drain] eq "eof"} { fail "the wizard ended" }
		if {[clock milliseconds] > $end} {
			fail "the screen still matches /$re/ after $secs s"
		}
		after 50
	}
}
