// The compiled parts of Boost.Asio and Boost.Beast (their separate-compilation mode), built once
// and shared by the server and the client, so that no other translation unit compiles them.
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>
