// Conversions between element types with the semantics documented in
// ir/scalar.h: float -> integer truncates toward zero and saturates, NaN
// becomes 0; anything -> bool is (x != 0); bool is stored as uint8_t 0/1.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>

namespace graphc {

template <typename To, typename From>
To ConvertNumber(From v) {
  if constexpr (std::is_same_v<To, uint8_t>) {  // bool
    return v != From{0} ? 1 : 0;
  } else if constexpr (std::is_floating_point_v<From> && std::is_integral_v<To>) {
    if (std::isnan(v)) return 0;
    constexpr double lo = static_cast<double>(std::numeric_limits<To>::min());
    constexpr double hi = static_cast<double>(std::numeric_limits<To>::max());
    const double d = static_cast<double>(v);
    if (d <= lo) return std::numeric_limits<To>::min();
    if (d >= hi) return std::numeric_limits<To>::max();
    return static_cast<To>(d);
  } else if constexpr (std::is_integral_v<From> && std::is_integral_v<To> &&
                       sizeof(To) < sizeof(From)) {
    // Two's complement wraparound, without relying on implementation-defined
    // narrowing.
    using U = std::make_unsigned_t<To>;
    const U bits = static_cast<U>(static_cast<std::make_unsigned_t<From>>(v));
    To out;
    static_assert(sizeof(out) == sizeof(bits));
    __builtin_memcpy(&out, &bits, sizeof(out));
    return out;
  } else {
    return static_cast<To>(v);
  }
}

}  // namespace graphc
