#include <iostream>

int main() {
  std::cout << "pilotctl " << PILOTLEDGER_VERSION << "\n";
  return 0;
}
