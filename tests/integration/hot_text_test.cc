// The hot-code layout (CMakeLists.txt, "Hot code first"; src/hot_text.ld):
// each statically linked daemon and command has its profiled code in one
// output section ahead of .text. The test reads the programs' ELF section
// headers. It fails if the link stops using the list, if the list no longer
// matches the code (a section that matched nothing is as good as none), or
// if it matches everything (then nothing is cold and the layout is moot).
#include <elf.h>
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <string>
#include <vector>

namespace {

struct Section {
  uint64_t addr = 0;
  uint64_t size = 0;
};

// Section name -> address and size, from a 64-bit ELF file.
std::map<std::string, Section> Sections(const std::string& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  std::string bytes(in ? static_cast<size_t>(in.tellg()) : 0, '\0');
  in.seekg(0);
  in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  std::map<std::string, Section> out;
  if (bytes.size() < sizeof(Elf64_Ehdr)) return out;
  const auto* eh = reinterpret_cast<const Elf64_Ehdr*>(bytes.data());
  if (bytes.compare(0, SELFMAG, ELFMAG) != 0 || eh->e_ident[EI_CLASS] != ELFCLASS64) return out;
  if (eh->e_shoff + uint64_t{eh->e_shnum} * sizeof(Elf64_Shdr) > bytes.size()) return out;
  const auto* sh = reinterpret_cast<const Elf64_Shdr*>(bytes.data() + eh->e_shoff);
  if (eh->e_shstrndx >= eh->e_shnum) return out;
  const Elf64_Shdr& names = sh[eh->e_shstrndx];
  for (int i = 0; i < eh->e_shnum; ++i) {
    uint64_t at = names.sh_offset + sh[i].sh_name;
    if (at >= bytes.size()) continue;
    out[std::string(bytes.c_str() + at)] = {sh[i].sh_addr, sh[i].sh_size};
  }
  return out;
}

struct Expect {
  const char* program;
  uint64_t min_hot;  // bytes the profile is known to cover, with margin
};

TEST(HotTextLayoutTest, ProfiledCodeSitsTogetherAheadOfTheRest) {
  const std::vector<Expect> programs = {
      {"sluice-ctld", 1 << 20}, {"sluice-noded", 1 << 20}, {"sluice-stepd", 128 << 10},
      {"sbatch", 512 << 10},    {"squeue", 512 << 10},     {"srun", 512 << 10}};
  for (const auto& p : programs) {
    SCOPED_TRACE(p.program);
    auto s = Sections(std::string(SLUICE_BIN_DIR) + "/" + p.program);
    ASSERT_TRUE(s.count(".text")) << "not an ELF program with .text";
    ASSERT_TRUE(s.count(".text.sluice_hot")) << "linked without src/hot_text.ld";
    const Section hot = s[".text.sluice_hot"];
    const Section text = s[".text"];
    EXPECT_LT(hot.addr, text.addr);
    EXPECT_GE(hot.size, p.min_hot) << "the list matches little of this program's code";
    // What did not run in the profile stays behind: at least a fifth.
    EXPECT_GE(text.size * 4, hot.size) << "hot " << hot.size << ", rest " << text.size;
  }
}

}  // namespace
