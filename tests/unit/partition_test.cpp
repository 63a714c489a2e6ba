// Partition tables (kernel/block/partition*.cpp): MBR primary and logical partitions, GPT with
// its CRCs and its backup header, and tables that lie.
#include "support.h"
#include <kernel/block/partition.h>
#include <kernel/test_disk.h>
#include <cstring>
#include <vector>

namespace {

struct Image {
    explicit Image(u64 sectors) : bytes(sectors * 512) {}
    std::vector<u8> bytes;
    u64 sectors() const { return bytes.size() / 512; }
    u8* sector(u64 lba) { return bytes.data() + lba * 512; }
    block::SectorReader reader()
    {
        return { [](void* context, u64 lba, Bytes out) -> ErrorOr<void> {
                    auto& image = *static_cast<Image*>(context);
                    if (lba >= image.sectors())
                        return Error::from_errno(EIO);
                    std::memcpy(out.data(), image.sector(lba), 512);
                    return {};
                },
            this };
    }
};

void put32(u8* p, u32 v) { std::memcpy(p, &v, 4); }
void put64(u8* p, u64 v) { std::memcpy(p, &v, 8); }

void mbr_entry(u8* sector, int index, u8 type, u32 start, u32 count)
{
    u8* e = sector + 446 + 16 * index;
    e[4] = type;
    put32(e + 8, start);
    put32(e + 12, count);
    sector[510] = 0x55;
    sector[511] = 0xAA;
}

// A GPT with entries at LBA 2 (128 entries of 128 bytes), primary and backup headers.
void write_gpt(Image& image, std::vector<std::pair<u64, u64>> const& parts, char const* first_name)
{
    mbr_entry(image.sector(0), 0, 0xEE, 1, u32(image.sectors() - 1));
    u8* entries = image.sector(2);
    for (usize i = 0; i < parts.size(); ++i) {
        u8* e = entries + 128 * i;
        e[0] = 0xAF;                       // some type GUID
        put64(e + 32, parts[i].first);
        put64(e + 40, parts[i].second);
        for (usize c = 0; i == 0 && first_name[c]; ++c)
            e[56 + 2 * c] = u8(first_name[c]);
    }
    u32 entries_crc = block::crc32(ReadonlyBytes(entries, 128 * 128));
    auto header = [&](u64 my_lba, u64 entries_lba) {
        u8* h = image.sector(my_lba);
        std::memcpy(h, "EFI PART", 8);
        put32(h + 8, 0x00010000);
        put32(h + 12, 92);
        put64(h + 24, my_lba);
        put64(h + 40, 34);
        put64(h + 48, image.sectors() - 34);
        put64(h + 72, entries_lba);
        put32(h + 80, 128);
        put32(h + 84, 128);
        put32(h + 88, entries_crc);
        put32(h + 16, 0);
        put32(h + 16, block::crc32(ReadonlyBytes(h, 92)));
    };
    std::memcpy(image.sector(image.sectors() - 33), entries, 128 * 128);
    header(1, 2);
    header(image.sectors() - 1, image.sectors() - 33);
}

}

TEST_CASE("crc32 is the IEEE one", "[partition]")
{
    char const* text = "123456789";
    REQUIRE(block::crc32(ReadonlyBytes(reinterpret_cast<u8 const*>(text), 9)) == 0xCBF43926);
}

TEST_CASE("MBR: primary and logical partitions, Linux numbering", "[partition]")
{
    Image image(20000);
    mbr_entry(image.sector(0), 0, 0x83, 2048, 4096);
    mbr_entry(image.sector(0), 1, 0x0C, 6144, 4096);
    mbr_entry(image.sector(0), 3, 0x05, 10240, 8192);      // extended: holds two logical ones
    mbr_entry(image.sector(10240), 0, 0x83, 2048, 1000);   // hda5 at 12288
    mbr_entry(image.sector(10240), 1, 0x05, 4096, 4096);   // next EBR at 14336
    mbr_entry(image.sector(14336), 0, 0x82, 100, 500);     // hda6 at 14436
    auto table = block::read_partitions(image.sectors(), image.reader());
    REQUIRE(!table.is_error());
    auto const& t = table.value();
    REQUIRE(t.scheme == block::Scheme::Mbr);
    REQUIRE(t.count == 4);
    REQUIRE(t.partitions[0].number == 1);
    REQUIRE(t.partitions[0].start == 2048);
    REQUIRE(t.partitions[1].mbr_type == 0x0C);
    REQUIRE(t.partitions[2].number == 5);
    REQUIRE(t.partitions[2].start == 12288);
    REQUIRE(t.partitions[2].sectors == 1000);
    REQUIRE(t.partitions[3].number == 6);
    REQUIRE(t.partitions[3].start == 14436);
}

TEST_CASE("MBR: entries outside the disk are skipped; no signature means no table", "[partition]")
{
    Image image(4096);
    mbr_entry(image.sector(0), 0, 0x83, 2048, 100000);
    mbr_entry(image.sector(0), 1, 0x83, 100, 200);
    auto table = block::read_partitions(image.sectors(), image.reader());
    REQUIRE(table.value().count == 1);
    REQUIRE(table.value().partitions[0].number == 2);
    Image blank(100);
    REQUIRE(block::read_partitions(blank.sectors(), blank.reader()).value().scheme == block::Scheme::None);
}

TEST_CASE("MBR: an EBR chain that loops stops", "[partition]")
{
    Image image(4096);
    mbr_entry(image.sector(0), 0, 0x05, 1000, 2000);
    mbr_entry(image.sector(1000), 0, 0x83, 10, 10);
    mbr_entry(image.sector(1000), 1, 0x05, 0x100, 10);
    mbr_entry(image.sector(1256), 0, 0x83, 10, 10);
    mbr_entry(image.sector(1256), 1, 0x05, 0x100, 10);   // points at itself
    auto table = block::read_partitions(image.sectors(), image.reader());
    REQUIRE(!table.is_error());
    REQUIRE(table.value().count == block::MAX_PARTITIONS);   // it ends, and the table stays bounded
}

TEST_CASE("GPT: entries, names, and the backup when the primary is damaged", "[partition]")
{
    Image image(8192);
    write_gpt(image, { { 2048, 4095 }, { 4096, 8000 } }, "conduit");
    auto table = block::read_partitions(image.sectors(), image.reader());
    REQUIRE(!table.is_error());
    REQUIRE(table.value().scheme == block::Scheme::Gpt);
    REQUIRE(table.value().count == 2);
    REQUIRE(table.value().partitions[0].sectors == 2048);
    REQUIRE(std::string(table.value().partitions[0].name) == "conduit");
    REQUIRE(table.value().partitions[1].number == 2);

    image.sector(1)[100] ^= 0xFF;   // inside the header's CRC range: the primary is damaged
    image.sector(1)[20] ^= 0xFF;
    auto backup = block::read_partitions(image.sectors(), image.reader());
    REQUIRE(!backup.is_error());
    REQUIRE(backup.value().count == 2);

    image.sector(image.sectors() - 1)[20] ^= 0xFF;   // and now the backup too
    REQUIRE(block::read_partitions(image.sectors(), image.reader()).is_error());
}

TEST_CASE("disk plans write what Python's random.Random(seed).randbytes() gives", "[partition][disk-plan]")
{
    // python3 -c "import random; print(random.Random(12345).randbytes(16).hex())"
    u8 bytes[16];
    test_disk::PythonRandom(12345).fill(bytes, sizeof(bytes));
    u8 const expected[16] = { 0x87, 0x99, 0xa7, 0x6a, 0x3a, 0x43, 0x91, 0xbb, 0x45, 0x72, 0x9a, 0x02, 0x6c, 0xf8, 0xf6, 0xd1 };
    REQUIRE(std::memcmp(bytes, expected, 16) == 0);
    // zlib.crc32(random.Random(7).randbytes(4096)) == 0xe51b2a1f
    std::vector<u8> block(4096);
    test_disk::PythonRandom(7).fill(block.data(), block.size());
    REQUIRE(block::crc32(ReadonlyBytes(block.data(), block.size())) == 0xe51b2a1fu);
}
