set terminal pngcairo size 960,640 font 'sans,11'
set grid
set key left top
set output 'forwarding.png'
set title 'Forwarding rate vs offered load (64-byte UDP; median, min–max)'
set xlabel 'offered load (kp/s)'
set ylabel 'forwarded (kp/s)'
set xrange [0:1050]
set yrange [0:1050]
plot x title 'offered' lc rgb 'gray' dt 3, \
     'plot/fwd-direct.dat' using 1:2:3:4 with yerrorlines lc rgb 'black' dt 1 pt 7 lw 2 title 'TG→TS direct', \
     'plot/fwd-native-netns_vrd.dat' using 1:2:3:4 with yerrorlines lc rgb '#1f77b4' dt 1 pt 7 lw 2 title 'native routed (netns), vrd', \
     'plot/fwd-native-netns_hand.dat' using 1:2:3:4 with yerrorlines lc rgb '#1f77b4' dt 2 pt 6 lw 2 title 'native routed (netns), by hand', \
     'plot/fwd-dom0-bridged_vrd.dat' using 1:2:3:4 with yerrorlines lc rgb '#2ca02c' dt 1 pt 7 lw 2 title 'dom0 bridged, vrd', \
     'plot/fwd-dom0-bridged_hand.dat' using 1:2:3:4 with yerrorlines lc rgb '#2ca02c' dt 2 pt 6 lw 2 title 'dom0 bridged, by hand', \
     'plot/fwd-domu-routed_vrd.dat' using 1:2:3:4 with yerrorlines lc rgb '#d62728' dt 1 pt 7 lw 2 title 'domU routed (lab), vrd', \
     'plot/fwd-domu-routed_hand.dat' using 1:2:3:4 with yerrorlines lc rgb '#d62728' dt 2 pt 6 lw 2 title 'domU routed (lab), by hand', \
     'plot/fwd-domu-bridged_vrd.dat' using 1:2:3:4 with yerrorlines lc rgb '#9467bd' dt 1 pt 7 lw 2 title 'domU bridged (lab), vrd', \
     'plot/fwd-domu-bridged_hand.dat' using 1:2:3:4 with yerrorlines lc rgb '#9467bd' dt 2 pt 6 lw 2 title 'domU bridged (lab), by hand'
set output 'rtt.png'
set multiplot layout 1,2
set xlabel 'background load (kp/s)'
set ylabel 'RTT (ms)'
set logscale y
set xrange [-20:520]
set yrange [*:*]
set key left top font 'sans,9'
set title 'RTT p50 under background traffic'
plot 'plot/rtt-direct.dat' using 1:2 with linespoints lc rgb 'black' dt 1 pt 7 lw 2 title 'TG→TS direct', \
     'plot/rtt-native-netns_vrd.dat' using 1:2 with linespoints lc rgb '#1f77b4' dt 1 pt 7 lw 2 title 'native routed (netns), vrd', \
     'plot/rtt-native-netns_hand.dat' using 1:2 with linespoints lc rgb '#1f77b4' dt 2 pt 6 lw 2 title 'native routed (netns), by hand', \
     'plot/rtt-dom0-bridged_vrd.dat' using 1:2 with linespoints lc rgb '#2ca02c' dt 1 pt 7 lw 2 title 'dom0 bridged, vrd', \
     'plot/rtt-dom0-bridged_hand.dat' using 1:2 with linespoints lc rgb '#2ca02c' dt 2 pt 6 lw 2 title 'dom0 bridged, by hand', \
     'plot/rtt-domu-routed_vrd.dat' using 1:2 with linespoints lc rgb '#d62728' dt 1 pt 7 lw 2 title 'domU routed (lab), vrd', \
     'plot/rtt-domu-routed_hand.dat' using 1:2 with linespoints lc rgb '#d62728' dt 2 pt 6 lw 2 title 'domU routed (lab), by hand', \
     'plot/rtt-domu-bridged_vrd.dat' using 1:2 with linespoints lc rgb '#9467bd' dt 1 pt 7 lw 2 title 'domU bridged (lab), vrd', \
     'plot/rtt-domu-bridged_hand.dat' using 1:2 with linespoints lc rgb '#9467bd' dt 2 pt 6 lw 2 title 'domU bridged (lab), by hand'
set title 'RTT p99 under background traffic'
plot 'plot/rtt-direct.dat' using 1:3 with linespoints lc rgb 'black' dt 1 pt 7 lw 2 title 'TG→TS direct', \
     'plot/rtt-native-netns_vrd.dat' using 1:3 with linespoints lc rgb '#1f77b4' dt 1 pt 7 lw 2 title 'native routed (netns), vrd', \
     'plot/rtt-native-netns_hand.dat' using 1:3 with linespoints lc rgb '#1f77b4' dt 2 pt 6 lw 2 title 'native routed (netns), by hand', \
     'plot/rtt-dom0-bridged_vrd.dat' using 1:3 with linespoints lc rgb '#2ca02c' dt 1 pt 7 lw 2 title 'dom0 bridged, vrd', \
     'plot/rtt-dom0-bridged_hand.dat' using 1:3 with linespoints lc rgb '#2ca02c' dt 2 pt 6 lw 2 title 'dom0 bridged, by hand', \
     'plot/rtt-domu-routed_vrd.dat' using 1:3 with linespoints lc rgb '#d62728' dt 1 pt 7 lw 2 title 'domU routed (lab), vrd', \
     'plot/rtt-domu-routed_hand.dat' using 1:3 with linespoints lc rgb '#d62728' dt 2 pt 6 lw 2 title 'domU routed (lab), by hand', \
     'plot/rtt-domu-bridged_vrd.dat' using 1:3 with linespoints lc rgb '#9467bd' dt 1 pt 7 lw 2 title 'domU bridged (lab), vrd', \
     'plot/rtt-domu-bridged_hand.dat' using 1:3 with linespoints lc rgb '#9467bd' dt 2 pt 6 lw 2 title 'domU bridged (lab), by hand'
unset multiplot
unset logscale y
set output 'parallel.png'
set title 'Parallel routers: aggregate forwarding rate at a fixed total offered load'
set xlabel 'routers (one flow each)'
set ylabel 'aggregate forwarded (kp/s)'
set logscale x 2
set xrange [0.8:10]
set yrange [0:1050]
set key left bottom
plot 'plot/par-vrd-200.dat' using 1:2:3:4 with yerrorlines lc rgb '#1f77b4' dt 1 pt 7 lw 2 title '200 kp/s total, vrd', \
     'plot/par-vrd-1000.dat' using 1:2:3:4 with yerrorlines lc rgb '#d62728' dt 1 pt 7 lw 2 title '1000 kp/s total, vrd', \
     'plot/par-hand-200.dat' using 1:2:3:4 with yerrorlines lc rgb '#1f77b4' dt 2 pt 6 lw 2 title '200 kp/s total, by hand', \
     'plot/par-hand-1000.dat' using 1:2:3:4 with yerrorlines lc rgb '#d62728' dt 2 pt 6 lw 2 title '1000 kp/s total, by hand'
