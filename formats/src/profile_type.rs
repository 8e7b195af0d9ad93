//! speedscope-import's profile-type names (what Flamedeck stores per
//! upload), for [`flamekit_core::ProfileGroup::profile_type`].

use flamekit_core::ProfileGroup;

use crate::Format;

/// speedscope-import's profile-type name for a group imported as `format`;
/// flamekit's format id for formats that list has no name for. Importers whose
/// format maps to more than one name (`chrome-cpuprofile` and
/// `chrome-cpuprofile-old`; `chrome-timeline` and `trace-event`) set the
/// name themselves, and it is kept.
pub(crate) fn set_profile_type(format: Format, group: &mut ProfileGroup) {
    if group.profile_type() != group.format() {
        return; // set by the importer
    }
    let name = match format {
        Format::Speedscope => "speedscope",
        Format::Pprof => "pprof",
        Format::ChromeCpuProfile => "chrome-cpuprofile",
        Format::ChromeTrace => "trace-event",
        Format::Collapsed => "collapsed-stack",
        Format::LinuxPerf => "linux-perf",
        Format::Firefox => "firefox",
        Format::Stackprof => "stackprof",
        Format::Callgrind => "callgrind",
        Format::V8Heap => "chrome-heap-profile",
        Format::Safari => "safari",
        Format::Instruments => "instruments-deepcopy",
        Format::Haskell => "haskell",
        Format::Papyrus => "papyrus",
        Format::V8Log | Format::Pmcstat | Format::Jfr => format.id(),
    };
    group.set_profile_type(name);
}
