// Text for a terminal: the one escaping function every text (non-JSON) printer uses for strings
// that come from a host, a device, a file or a command line. Defined in core/text.cpp.
#pragma once

#include <string>
#include <string_view>

namespace aa {

// Terminal-safe form of a host-supplied string for text output: the bytes a terminal would act
// on are shown as \xNN instead (C0 controls including newline, tab and ESC; DEL; the C1
// controls U+0080..U+009F, written as \xc2\xNN; and bytes that are not valid UTF-8). Valid
// printable UTF-8 is kept, backslashes too, so that text already escaped by printable() (or by
// this function) comes back unchanged: terminal_safe(terminal_safe(s)) == terminal_safe(s).
std::string terminal_safe(std::string_view s);

}  // namespace aa
