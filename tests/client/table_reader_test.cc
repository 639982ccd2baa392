// The table reader of pilotctl import-table on CSV text and on files that are not tables (XLSX
// files written by another program are read back in tests/tools/report_tables.py).
#include "client/table_reader.h"

#include <fstream>

#include <gtest/gtest.h>

#include "tests/ledger/ledger_test_util.h"

namespace pilotledger::client {
namespace {

TEST(TableReaderTest, CsvRecordsKeepTheLineWhereTheyStart) {
  const std::vector<TableRow> rows =
      ParseCsv("\xEF\xBB\xBF序号,单位名称,统一社会信用代码\r\n1,\"北京, 示例\",91110104XH1HAKRRHY\r\n\r\n2,\"两行\n名称\",\"a\"\"b\"\n3,x,y");
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[0].line, 1u);
  EXPECT_EQ(rows[0].cells, (std::vector<std::string>{"序号", "单位名称", "统一社会信用代码"}));
  EXPECT_EQ(rows[1].line, 2u);
  EXPECT_EQ(rows[1].cells, (std::vector<std::string>{"1", "北京, 示例", "91110104XH1HAKRRHY"}));
  EXPECT_EQ(rows[2].line, 4u) << "the blank line 3 is skipped";
  EXPECT_EQ(rows[2].cells, (std::vector<std::string>{"2", "两行\n名称", "a\"b"}));
  EXPECT_EQ(rows[3].line, 6u);
}

TEST(TableReaderTest, FilesThatAreNotTablesAreRefused) {
  testing::TempDir dir;
  EXPECT_EQ(ReadTable(dir / "missing.csv").status().code(), Code::kNotFound);
  const std::string broken = dir / "broken.xlsx";
  std::ofstream(broken, std::ios::binary) << std::string("PK\x03\x04", 4) << "not really a zip";
  const Result<std::vector<Sheet>> r = ReadTable(broken);
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
  EXPECT_NE(r.status().message().find("not a readable zip"), std::string::npos) << r.status().message();
  const std::string csv = dir / "t.csv";
  std::ofstream(csv) << "credit_code\n91110104XH1HAKRRHY\n";
  const Result<std::vector<Sheet>> table = ReadTable(csv);
  ASSERT_TRUE(table.ok());
  ASSERT_EQ(table->size(), 1u);
  EXPECT_EQ((*table)[0].rows.size(), 2u);
}

}  // namespace
}  // namespace pilotledger::client
